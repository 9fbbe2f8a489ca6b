import type { Histogram } from 'prom-client';
import type { ConsulPort, KeyRead, ServiceInstance, ServiceRegistration, SessionRequest, CheckStatus } from '../consul/consul.port.js';

/**
 * The Consul port with every call timed into `a4c_ha_consul_request_duration_seconds{operation,outcome}`.
 * A blocking read is its own operation (`watch_key`): it lasts up to the wait by design, and would
 * otherwise drown the latency of the plain reads the leader's lease depends on.
 */
export class InstrumentedConsul implements ConsulPort {
  constructor(
    private readonly inner: ConsulPort,
    private readonly durations: Histogram<'operation' | 'outcome'>,
  ) {}

  registerService(service: ServiceRegistration): Promise<void> {
    return this.time('register_service', () => this.inner.registerService(service));
  }

  deregisterService(serviceId: string): Promise<void> {
    return this.time('deregister_service', () => this.inner.deregisterService(serviceId));
  }

  checkStatus(checkId: string): Promise<CheckStatus | undefined> {
    return this.time('check_status', () => this.inner.checkStatus(checkId));
  }

  createSession(request: SessionRequest): Promise<string> {
    return this.time('create_session', () => this.inner.createSession(request));
  }

  renewSession(sessionId: string): Promise<boolean> {
    return this.time('renew_session', () => this.inner.renewSession(sessionId));
  }

  destroySession(sessionId: string): Promise<void> {
    return this.time('destroy_session', () => this.inner.destroySession(sessionId));
  }

  acquire(key: string, sessionId: string, value: string): Promise<boolean> {
    return this.time('acquire', () => this.inner.acquire(key, sessionId, value));
  }

  release(key: string, sessionId: string): Promise<boolean> {
    return this.time('release', () => this.inner.release(key, sessionId));
  }

  readKey(key: string, options?: { index?: number; waitMs?: number; signal?: AbortSignal }): Promise<KeyRead> {
    return this.time((options?.index ?? 0) > 0 ? 'watch_key' : 'read_key', () => this.inner.readKey(key, options));
  }

  listServiceInstances(serviceName: string): Promise<ServiceInstance[]> {
    return this.time('list_service_instances', () => this.inner.listServiceInstances(serviceName));
  }

  /** Closes the wrapped adapter (kept-alive sockets) when it has such a method. */
  close(): void {
    (this.inner as { close?: () => void }).close?.();
  }

  private async time<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const end = this.durations.startTimer({ operation });
    try {
      const result = await call();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      // an abort is our own doing (shutdown, wake-up), not a Consul failure
      end({ outcome: (error as Error)?.name === 'AbortError' ? 'aborted' : 'error' });
      throw error;
    }
  }
}
