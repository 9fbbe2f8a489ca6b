import { abortError, type Clock } from '../clock/clock.port.js';
import { systemClock } from '../clock/system-clock.js';
import {
  ConsulUnavailableError,
  SessionInvalidatedError,
  SessionRefusedError,
} from '../consul/consul-errors.js';
import type {
  CheckStatus,
  ConsulPort,
  KeyEntry,
  KeyRead,
  ServiceInstance,
  ReadKeyOptions,
  ServiceRegistration,
  SessionRequest,
} from '../consul/consul.port.js';

interface FakeSession {
  id: string;
  /** The agent's node the session was created on: its serfHealth is bound (docs/consul-behaviour.md fact 3). */
  node: string;
  checks: string[];
  lockDelayMs: number;
  ttlMs: number;
  expiresAt: number;
}

interface Waiter {
  key: string;
  index: number;
  wake: () => void;
}

/**
 * An in-memory Consul for the elector's scenario tests: the lock semantics of docs/consul-behaviour.md (acquire,
 * release, invalidation on a critical check, lock-delay, LockIndex, blocking reads woken by changes or
 * by the fake clock), plus knobs to make operations fail. Several electors can share one instance.
 */
export class InMemoryConsul implements ConsulPort {
  readonly calls: string[] = [];
  readonly checks = new Map<string, CheckStatus>();
  readonly services = new Map<string, ServiceRegistration>();
  readonly sessions = new Map<string, FakeSession>();
  private readonly kv = new Map<string, KeyEntry>();
  private readonly lockDelayUntil = new Map<string, number>();
  private waiters: Waiter[] = [];
  /** Nodes whose serfHealth the servers see critical (cut off, agent dead: §12.3). */
  private readonly failedNodes = new Set<string>();
  /** The node each service was registered through, for an agent's leave (§12.5 P20). */
  private readonly serviceNodes = new Map<string, string>();
  private index = 10;
  private sessionCounter = 0;
  /** Operations (by name) that throw ConsulUnavailableError; '*' makes every operation fail. */
  readonly failing = new Set<string>();
  /** Consistent reads take this long (fake-clock ms) before answering: a slow quorum round. */
  consistentReadDelayMs = 0;

  /** `clock`: what lock-delay and blocking waits count on (default the system clock; a FakeClock in scenario tests). */
  constructor(private readonly clock: Clock = systemClock) {}

  private enter(operation: string, detail = ''): void {
    this.calls.push(detail ? `${operation} ${detail}` : operation);
    if (this.failing.has('*') || this.failing.has(operation)) {
      throw new ConsulUnavailableError(operation, 'connect ECONNREFUSED (injected)');
    }
    this.expireSessions();
  }

  async registerService(service: ServiceRegistration): Promise<void> {
    return this.registerServiceOn('local', service);
  }

  /** A service register synced from the agent of `node`. */
  async registerServiceOn(node: string, service: ServiceRegistration): Promise<void> {
    this.enter('registerService', service.id);
    this.services.set(service.id, service);
    this.serviceNodes.set(service.id, node);
    if (!this.checks.has(service.checkId)) this.checks.set(service.checkId, 'critical');
  }

  async deregisterService(serviceId: string): Promise<void> {
    this.enter('deregisterService', serviceId);
    const service = this.services.get(serviceId);
    this.services.delete(serviceId);
    this.serviceNodes.delete(serviceId);
    if (service) {
      this.checks.delete(service.checkId);
      this.invalidateWhere((s) => s.checks.includes(service.checkId));
    }
  }

  async checkStatus(checkId: string): Promise<CheckStatus | undefined> {
    this.enter('checkStatus', checkId);
    return this.checks.get(checkId);
  }

  /** What Consul's HTTP check would do: a critical status kills the sessions bound to the check. */
  setCheck(checkId: string, status: CheckStatus): void {
    this.checks.set(checkId, status);
    if (status === 'critical') this.invalidateWhere((s) => s.checks.includes(checkId));
  }

  async createSession(request: SessionRequest): Promise<string> {
    return this.createSessionOn('local', request);
  }

  /** A session created through the agent of `node`, bound to its serfHealth and the given checks. */
  async createSessionOn(node: string, request: SessionRequest): Promise<string> {
    this.enter('createSession');
    if (this.failedNodes.has(node)) throw new SessionRefusedError("Check 'serfHealth' is in critical state");
    for (const checkId of request.serviceCheckIds) {
      const status = this.checks.get(checkId);
      if (status === undefined) throw new SessionRefusedError(`Missing check '${checkId}' registration`);
      if (status === 'critical') throw new SessionRefusedError(`Check '${checkId}' is in critical state`);
    }
    const id = `session-${++this.sessionCounter}`;
    const ttlMs = request.ttlSeconds * 1000;
    this.sessions.set(id, {
      id,
      node,
      checks: ['serfHealth', ...request.serviceCheckIds],
      lockDelayMs: Math.min(request.lockDelaySeconds, 60) * 1000,
      ttlMs,
      expiresAt: this.clock.now() + 2 * ttlMs,
    });
    return id;
  }

  async renewSession(sessionId: string): Promise<boolean> {
    this.enter('renewSession', sessionId);
    const session = this.sessions.get(sessionId);
    if (!session) return false;
    session.expiresAt = this.clock.now() + 2 * session.ttlMs;
    return true;
  }

  async destroySession(sessionId: string): Promise<void> {
    this.enter('destroySession', sessionId);
    this.invalidateWhere((s) => s.id === sessionId);
  }

  async acquire(key: string, sessionId: string, value: string): Promise<boolean> {
    this.enter('acquire', key);
    if (!this.sessions.has(sessionId)) throw new SessionInvalidatedError(sessionId);
    if ((this.lockDelayUntil.get(key) ?? 0) > this.clock.now()) return false;
    const entry = this.kv.get(key);
    if (entry?.session && entry.session !== sessionId) return false;
    const fresh = entry?.session !== sessionId;
    this.write(key, { session: sessionId, lockIndex: (entry?.lockIndex ?? 0) + (fresh ? 1 : 0), value });
    return true;
  }

  async release(key: string, sessionId: string, value: string): Promise<boolean> {
    this.enter('release', key);
    const entry = this.kv.get(key);
    if (!entry || entry.session !== sessionId) return false;
    this.write(key, { session: null, lockIndex: entry.lockIndex, value });
    return true;
  }

  async readKey(key: string, options: ReadKeyOptions = {}): Promise<KeyRead> {
    if (options.consistent) {
      this.enter('consistentRead', key);
      await this.slowConsistent(options.signal);
    } else this.enter('readKey', options.index ? `${key} index=${options.index}` : key);
    const current = () => this.kv.get(key);
    const since = options.index ?? 0;
    if (since > 0 && (current()?.modifyIndex ?? 0) <= since) {
      await this.block(key, since, options.waitMs ?? 300_000, options.signal);
      this.enter('readKey:return', key);
    }
    const entry = current();
    return { index: Math.max(1, entry?.modifyIndex ?? this.index), entry: entry ? { ...entry } : null };
  }

  async listServiceInstances(serviceName: string): Promise<ServiceInstance[]> {
    this.enter('listServiceInstances', serviceName);
    return [...this.services.values()]
      .filter((s) => s.name === serviceName)
      .map((s) => ({ serviceId: s.id, address: s.address, port: s.port, checkStatus: this.checks.get(s.checkId) ?? 'critical' }));
  }

  private async slowConsistent(signal?: AbortSignal): Promise<void> {
    if (this.consistentReadDelayMs <= 0) return;
    await this.clock.sleep(this.consistentReadDelayMs, signal);
    this.enter('consistentRead:return');
  }

  /**
   * The servers' verdict on a node's serfHealth (§12.3 P12, §12.4 P16): critical invalidates every
   * session bound to it and refuses new ones until it passes again (P17).
   */
  setNodeHealth(node: string, status: 'passing' | 'critical'): void {
    if (status === 'passing') {
      this.failedNodes.delete(node);
      return;
    }
    this.failedNodes.add(node);
    this.invalidateWhere((s) => s.node === node);
  }

  /** A graceful leave (§12.5 P20): the node's services and checks are deregistered, all its sessions destroyed. */
  leaveNode(node: string): void {
    this.invalidateWhere((s) => s.node === node);
    for (const [serviceId, owner] of [...this.serviceNodes]) {
      if (owner !== node) continue;
      const service = this.services.get(serviceId);
      this.services.delete(serviceId);
      this.serviceNodes.delete(serviceId);
      if (service) this.checks.delete(service.checkId);
    }
  }

  /** A new server leader restarts every session's timer at 2 × TTL from its election (fact 23, P24). */
  rearmSessionTimers(): void {
    const now = this.clock.now();
    for (const session of this.sessions.values()) session.expiresAt = now + 2 * session.ttlMs;
  }

  /** Plain PUT / DELETE from an operator, ignoring locks (advisory locking, docs/consul-behaviour.md fact 9). */
  operatorWrite(key: string, entry: { session: string | null; value: string | null } | null): void {
    if (entry === null) {
      this.kv.delete(key);
      this.bump(key);
    } else this.write(key, { ...entry, lockIndex: this.kv.get(key)?.lockIndex ?? 0 });
  }

  /** An agent restart with empty state (or a snapshot restore): everything is gone, sessions too. */
  loseEverything(): void {
    this.invalidateWhere(() => true);
    this.services.clear();
    this.checks.clear();
    this.kv.clear();
  }

  entry(key: string): KeyEntry | undefined {
    return this.kv.get(key);
  }

  private write(key: string, entry: Omit<KeyEntry, 'modifyIndex'>): void {
    this.kv.set(key, { ...entry, modifyIndex: this.bump(key) });
  }

  private bump(key: string): number {
    this.index += 1;
    const woken = this.waiters.filter((w) => w.key === key);
    this.waiters = this.waiters.filter((w) => w.key !== key);
    woken.forEach((w) => w.wake());
    return this.index;
  }

  private block(key: string, index: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timeout = new AbortController();
      const waiter: Waiter = {
        key,
        index,
        wake: () => {
          timeout.abort();
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiters.push(waiter);
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        timeout.abort();
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.clock.sleep(waitMs, timeout.signal).then(
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        () => undefined,
      );
    });
  }

  /** Sessions past 2×TTL since their last renew die, as on the Consul leader (docs/consul-behaviour.md §2.3). */
  expireSessions(): void {
    const now = this.clock.now();
    this.invalidateWhere((s) => s.expiresAt <= now);
  }

  private invalidateWhere(predicate: (s: FakeSession) => boolean): void {
    for (const session of [...this.sessions.values()].filter(predicate)) {
      this.sessions.delete(session.id);
      for (const [key, entry] of this.kv) {
        if (entry.session !== session.id) continue;
        this.write(key, { session: null, lockIndex: entry.lockIndex, value: entry.value });
        if (session.lockDelayMs > 0) this.lockDelayUntil.set(key, this.clock.now() + session.lockDelayMs);
      }
    }
  }
}
