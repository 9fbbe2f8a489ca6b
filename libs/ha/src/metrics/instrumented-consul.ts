import type { Counter, Histogram } from 'prom-client';
import type { ConsulPort } from '../consul/consul.port.js';

/**
 * The `operation` label values of both Consul metrics: one per ConsulPort call, in snake case, and
 * `watch_key` for a blocking read.
 */
export const CONSUL_OPERATIONS = [
  'register_service',
  'deregister_service',
  'check_status',
  'create_session',
  'renew_session',
  'destroy_session',
  'acquire',
  'release',
  'read_key',
  'watch_key',
  'list_service_instances',
] as const;
export type ConsulOperation = (typeof CONSUL_OPERATIONS)[number];

/**
 * The Consul port with every call timed into `a4c_ha_consul_request_duration_seconds{operation,outcome}`
 * and every failure counted in `a4c_ha_consul_errors_total{operation}`, with the same operation label.
 * A blocking read is its own operation (`watch_key`): it lasts up to the wait by design, and would
 * otherwise drown the latency of the plain reads the leader's lease depends on.
 */
export class InstrumentedConsul implements ConsulPort {
  constructor(
    private readonly inner: ConsulPort,
    private readonly durations: Histogram<'operation' | 'outcome'>,
    private readonly errors: Counter<'operation'>,
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

  private async time<T>(operation: ConsulOperation, call: () => Promise<T>): Promise<T> {
    const end = this.durations.startTimer({ operation });
    try {
      const result = await call();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      // an abort is our own doing (shutdown, wake-up), not a Consul failure
      const aborted = (error as Error)?.name === 'AbortError';
      end({ outcome: aborted ? 'aborted' : 'error' });
      if (!aborted) this.errors.inc({ operation });
      throw error;
    }
  }
}
