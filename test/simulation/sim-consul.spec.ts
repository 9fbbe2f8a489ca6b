import { describe, expect, it } from '@jest/globals';
import type { ServiceRegistration } from '../../libs/ha/src/consul/consul.port.js';
import { Prng } from './prng.js';
import { drainMicrotasks, Scheduler } from './scheduler.js';
import { SimAgent } from './sim-agent.js';
import { SimServers } from './sim-servers.js';

/** The simulated Consul follows docs/consul-behaviour.md where the simulation relies on it. */
const service: ServiceRegistration = {
  id: 'a4c-i1',
  name: 'a4c',
  address: 'i1.sim',
  port: 8088,
  checkId: 'service:a4c-i1',
  checkUrl: 'http://i1.sim:8088/rest/admin/health',
  checkIntervalMs: 1000,
  checkTimeoutMs: 1000,
  tlsSkipVerify: false,
};
const session = { name: 's', serviceCheckIds: [service.checkId], ttlSeconds: 15, lockDelaySeconds: 0 };

function cluster() {
  const scheduler = new Scheduler();
  const servers = new SimServers(scheduler);
  const agent = new SimAgent('i1', scheduler, servers, new Prng(7), () => 'passing');
  /** Runs events up to `ms` from now, letting promise callbacks run after each. */
  const advance = async (ms: number) => {
    const until = scheduler.now + ms;
    await drainMicrotasks(); // what the test itself started may schedule events first
    while (scheduler.runNext(until)) await drainMicrotasks();
    scheduler.settle(until);
  };
  /** The outcome of a call once it settled ('pending' if it has not). */
  const outcome = <T>(call: Promise<T>) => {
    const seen: { value: T | 'pending' | Error } = { value: 'pending' };
    call.then((v) => (seen.value = v), (e: Error) => (seen.value = e));
    return seen;
  };
  return { scheduler, servers, agent, advance, outcome };
}

async function passingSession(c: ReturnType<typeof cluster>): Promise<string> {
  void c.agent.registerService(service);
  await c.advance(1000);
  c.agent.checkRound();
  await c.advance(100);
  const id = c.outcome(c.agent.forward('createSession', (s) => s.createSessionOn('i1', session)));
  await c.advance(100);
  expect(typeof id.value).toBe('string');
  expect(c.servers.state.sessions.has(id.value as string)).toBe(true);
  return id.value as string;
}

describe('simulated Consul', () => {
  it('a cut-off agent answers its local endpoints, fails forwarded calls within the dial timeout, and the servers invalidate its sessions after detection (P1, P4, P13)', async () => {
    const c = cluster();
    const sessionId = await passingSession(c);
    c.agent.cut(3000);
    const local = c.outcome(c.agent.local('checkStatus', () => c.agent.localChecks.get(service.checkId)));
    const forwarded = c.outcome(c.agent.forward('renewSession', (s) => s.renewSession(sessionId)));
    await c.advance(10);
    expect(local.value).toBe('passing');
    await c.advance(10_000);
    expect(forwarded.value).toBeInstanceOf(Error);
    expect(String(forwarded.value)).toContain('i/o timeout');
    expect(c.servers.state.sessions.has(sessionId)).toBe(false);
  });

  it('a killed agent refuses at once; a left one has its sessions destroyed at once (P19, P20)', async () => {
    const c = cluster();
    const sessionId = await passingSession(c);
    c.agent.leave();
    expect(c.servers.state.sessions.has(sessionId)).toBe(false);
    const refused = c.outcome(c.agent.local('checkStatus', () => undefined));
    await c.advance(0);
    expect(String(refused.value)).toContain('ECONNREFUSED');
  });

  it('without quorum calls fail after 7-14 s, nothing expires, and the new leader re-arms every TTL at 2 x TTL (P22, P24)', async () => {
    const c = cluster();
    const sessionId = await passingSession(c);
    c.servers.loseQuorum();
    const held = c.outcome(c.agent.forward('renewSession', (s) => s.renewSession(sessionId)));
    await c.advance(6_999);
    expect(held.value).toBe('pending');
    await c.advance(7_001);
    expect(String(held.value)).toContain('No cluster leader');
    await c.advance(60_000); // far past 2 x TTL: no leader, no expiry
    expect(c.servers.state.sessions.has(sessionId)).toBe(true);
    c.servers.regainQuorum();
    await c.advance(29_000);
    expect(c.servers.state.sessions.has(sessionId)).toBe(true);
    await c.advance(2_000);
    expect(c.servers.state.sessions.has(sessionId)).toBe(false);
  });
});
