import { abortError } from '../clock/clock.port.js';
import { ConsulUnavailableError } from '../consul/consul-errors.js';
import type { ConsulPort } from '../consul/consul.port.js';

/**
 * One instance's own view of a shared in-memory Consul, as through its own agent: the test can cut it
 * off (every call fails like a forwarded call of a partitioned agent, docs/consul-behaviour.md §12.2) or
 * make its calls hang (a slow agent or quorum round) until their signal aborts, while the others go on.
 */
export class PartitionableConsul implements ConsulPort {
  private isCut = false;
  hanging = new Set<keyof ConsulPort | '*'>();
  /** Calls in flight: a cut fails them too, as a partition fails a blocking read in flight (P6). */
  private readonly inFlight = new Set<(error: Error) => void>();

  get cut(): boolean {
    return this.isCut;
  }

  set cut(value: boolean) {
    this.isCut = value;
    if (!value) return;
    for (const fail of [...this.inFlight]) fail(new ConsulUnavailableError('in flight', 'rpc error making call: EOF (injected partition)', 500));
  }

  constructor(private readonly inner: ConsulPort) {}

  registerService: ConsulPort['registerService'] = (s) => this.guard('registerService', undefined, () => this.inner.registerService(s));
  deregisterService: ConsulPort['deregisterService'] = (id) => this.guard('deregisterService', undefined, () => this.inner.deregisterService(id));
  checkStatus: ConsulPort['checkStatus'] = (id) => this.guard('checkStatus', undefined, () => this.inner.checkStatus(id));
  createSession: ConsulPort['createSession'] = (r) => this.guard('createSession', undefined, () => this.inner.createSession(r));
  renewSession: ConsulPort['renewSession'] = (id) => this.guard('renewSession', undefined, () => this.inner.renewSession(id));
  destroySession: ConsulPort['destroySession'] = (id) => this.guard('destroySession', undefined, () => this.inner.destroySession(id));
  acquire: ConsulPort['acquire'] = (k, s, v) => this.guard('acquire', undefined, () => this.inner.acquire(k, s, v));
  release: ConsulPort['release'] = (k, s, v) => this.guard('release', undefined, () => this.inner.release(k, s, v));
  readKey: ConsulPort['readKey'] = (k, o) => this.guard('readKey', o?.signal, () => this.inner.readKey(k, o));
  listServiceInstances: ConsulPort['listServiceInstances'] = (n) => this.guard('listServiceInstances', undefined, () => this.inner.listServiceInstances(n));

  private guard<T>(operation: keyof ConsulPort, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    if (this.hanging.has(operation) || this.hanging.has('*')) {
      return new Promise<T>((_resolve, reject) => signal?.addEventListener('abort', () => reject(abortError()), { once: true }));
    }
    if (this.cut) return Promise.reject(new ConsulUnavailableError(operation, 'rpc error making call: EOF (injected partition)', 500));
    return new Promise<T>((resolve, reject) => {
      const fail = (error: Error) => {
        this.inFlight.delete(fail);
        reject(error);
      };
      this.inFlight.add(fail);
      call().then(
        (value) => {
          this.inFlight.delete(fail);
          resolve(value);
        },
        (error: unknown) => {
          this.inFlight.delete(fail);
          reject(error as Error);
        },
      );
    });
  }
}
