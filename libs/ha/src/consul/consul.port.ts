/**
 * The narrow slice of Consul the elector needs (docs/architecture.md §7, convention 4). The adapter speaks HTTP to a real
 * agent (or consul-dev); scenario tests use the in-memory fake. Failures are typed (consul-errors.ts).
 */
export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface ServiceRegistration {
  id: string;
  name: string;
  address: string;
  port: number;
  checkId: string;
  checkUrl: string;
  checkIntervalMs: number;
  checkTimeoutMs: number;
  tlsSkipVerify: boolean;
}

export interface SessionRequest {
  name: string;
  /** Check IDs on this node besides serfHealth, which is always bound. */
  serviceCheckIds: string[];
  ttlSeconds: number;
  lockDelaySeconds: number;
}

export interface KeyEntry {
  session: string | null;
  lockIndex: number;
  value: string | null;
  modifyIndex: number;
}

export interface KeyRead {
  /** X-Consul-Index of the answer: the index to block on next. */
  index: number;
  entry: KeyEntry | null;
}

/** One instance of a service in the catalog, with the aggregated status of its checks (worst wins). */
export interface ServiceInstance {
  serviceId: string;
  address: string;
  port: number;
  /** Node and service checks together: critical beats warning beats passing. */
  checkStatus: CheckStatus;
}

export interface ReadKeyOptions {
  index?: number;
  waitMs?: number;
  signal?: AbortSignal;
  consistent?: boolean;
}

export interface ConsulPort {
  registerService(service: ServiceRegistration): Promise<void>;
  deregisterService(serviceId: string): Promise<void>;
  /** Status of a check in the agent's view, undefined when the agent does not know it. */
  checkStatus(checkId: string): Promise<CheckStatus | undefined>;
  createSession(request: SessionRequest): Promise<string>;
  /** true when renewed; false when Consul no longer knows the session (it was invalidated). */
  renewSession(sessionId: string): Promise<boolean>;
  destroySession(sessionId: string): Promise<void>;
  /** true when the lock is ours; anything else (held, lock-delay) is false. */
  acquire(key: string, sessionId: string, value: string): Promise<boolean>;
  /** Releases the lock, writing `value` (Consul replaces the value on release: docs/consul-behaviour.md fact 8). */
  release(key: string, sessionId: string, value: string): Promise<boolean>;
  /**
   * A read of the key; with index > 0, a blocking read that returns on change or after waitMs. With
   * `consistent`, the Consul leader confirms its leadership with a quorum first: the only read that
   * proves who holds the key now (docs/consul-behaviour.md facts 21-22).
   */
  readKey(key: string, options?: ReadKeyOptions): Promise<KeyRead>;
  /** Every registered instance of a service (GET /v1/health/service/<name>), for the cluster views. */
  listServiceInstances(serviceName: string): Promise<ServiceInstance[]>;
}
