import type { ConsulPort } from '../../libs/ha/src/consul/consul.port.js';
import type { SimAgent } from './sim-agent.js';
import type { SimProcess } from './sim-process.js';

/**
 * The ConsulPort of one process incarnation: every call goes to its host's agent, every answer comes
 * back through the process's gate (a frozen process hears it when continued, a crashed one never).
 */
export function consulPortOf(agent: SimAgent, process: SimProcess): ConsulPort {
  const gate = <T>(call: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      call().then(
        (value) => process.deliver(() => resolve(value)),
        (error: unknown) => process.deliver(() => reject(error as Error)),
      );
    });
  return {
    registerService: (service) => gate(() => agent.registerService(service)),
    deregisterService: (serviceId) => gate(() => agent.deregisterService(serviceId)),
    checkStatus: (checkId) => gate(() => agent.local('checkStatus', () => agent.localChecks.get(checkId))),
    createSession: (request) => gate(() => agent.forward('createSession', (s) => s.createSessionOn(agent.node, request))),
    renewSession: (sessionId) => gate(() => agent.forward('renewSession', (s) => s.renewSession(sessionId))),
    destroySession: (sessionId) => gate(() => agent.forward('destroySession', (s) => s.destroySession(sessionId))),
    acquire: (key, sessionId, value) => gate(() => agent.forward('acquire', (s) => s.acquire(key, sessionId, value))),
    release: (key, sessionId, value) => gate(() => agent.forward('release', (s) => s.release(key, sessionId, value))),
    readKey: (key, options) => gate(() => agent.forward('readKey', (s) => s.readKey(key, options), options?.signal)),
    listServiceInstances: (name) => gate(() => agent.forward('listServiceInstances', (s) => s.listServiceInstances(name))),
  };
}
