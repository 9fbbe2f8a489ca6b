import type { Histogram } from 'prom-client';
import type { ConsulPort } from '../consul/consul.port.js';

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

  registerService(...args: Parameters<ConsulPort['registerService']>): ReturnType<ConsulPort['registerService']> {
    return this.time('register_service', () => this.inner.registerService(...args));
  }

  deregisterService(...args: Parameters<ConsulPort['deregisterService']>): ReturnType<ConsulPort['deregisterService']> {
    return this.time('deregister_service', () => this.inner.deregisterService(...args));
  }

  checkStatus(...args: Parameters<ConsulPort['checkStatus']>): ReturnType<ConsulPort['checkStatus']> {
    return this.time('check_status', () => this.inner.checkStatus(...args));
  }

  createSession(...args: Parameters<ConsulPort['createSession']>): ReturnType<ConsulPort['createSession']> {
    return this.time('create_session', () => this.inner.createSession(...args));
  }

  renewSession(...args: Parameters<ConsulPort['renewSession']>): ReturnType<ConsulPort['renewSession']> {
    return this.time('renew_session', () => this.inner.renewSession(...args));
  }

  destroySession(...args: Parameters<ConsulPort['destroySession']>): ReturnType<ConsulPort['destroySession']> {
    return this.time('destroy_session', () => this.inner.destroySession(...args));
  }

  acquire(...args: Parameters<ConsulPort['acquire']>): ReturnType<ConsulPort['acquire']> {
    return this.time('acquire', () => this.inner.acquire(...args));
  }

  release(...args: Parameters<ConsulPort['release']>): ReturnType<ConsulPort['release']> {
    return this.time('release', () => this.inner.release(...args));
  }

  readKey(...args: Parameters<ConsulPort['readKey']>): ReturnType<ConsulPort['readKey']> {
    return this.time((args[1]?.index ?? 0) > 0 ? 'watch_key' : 'read_key', () => this.inner.readKey(...args));
  }

  listServiceInstances(...args: Parameters<ConsulPort['listServiceInstances']>): ReturnType<ConsulPort['listServiceInstances']> {
    return this.time('list_service_instances', () => this.inner.listServiceInstances(...args));
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
