import { isAbortError, type Clock } from '../clock/clock.port.js';
import { Backoff } from '../clock/backoff.js';
import {
  ConsulAccessDeniedError,
  SessionInvalidatedError,
  SessionRefusedError,
  describeError,
} from '../consul/consul-errors.js';
import type { ConsulPort, KeyRead } from '../consul/consul.port.js';
import { decide, type CleanupAction, type DecideTimings } from './decide.js';
import { sessionOf, type ElectionState } from './election-state.js';
import { parseLeaderValue, type LeaderValue } from './leader-value.js';
import type { Observation } from './observation.js';
import type { ElectionListener, ElectorIdentity, ElectorTimings, FullGraphPort, LocalHealthPort } from './ports.js';

export interface ElectorDeps {
  consul: ConsulPort;
  clock: Clock;
  health: LocalHealthPort;
  graph: FullGraphPort;
  listener: ElectionListener;
  identity: ElectorIdentity;
  timings: ElectorTimings;
  random?: () => number;
  /** Extra condition for the full graph's HaContext.isLeading (the stall guard). */
  mayAct?: () => boolean;
}

/** Timeout of Consul's HTTP check: the interval, within Consul's 1 s minimum and 10 s default. */
export function checkTimeoutFor(healthCheckIntervalMs: number): number {
  return Math.max(1000, Math.min(10_000, healthCheckIntervalMs));
}

interface Lease {
  /** When the last successful renew (or the create) was SENT: Consul's TTL runs from a later moment. */
  confirmedAt: number;
  nextRenewAt: number;
}

/**
 * The election loop: gather one observation, let decide() choose, perform the cleanup it asks for,
 * transition. All I/O goes through the Consul, health and graph ports; all time through the Clock.
 */
export class Elector {
  private state: ElectionState = { kind: 'backup' };
  private registered = false;
  private lease: Lease | null = null;
  private watchIndex = 0;
  private holdingWatch: { promise: Promise<Observation>; abort: AbortController } | null = null;
  private activation: Promise<Observation> | null = null;
  private termController: AbortController | null = null;
  private readonly shutdown = new AbortController();
  private wake = new AbortController();
  private requests = { shutdown: false, stepDown: false, reconfirm: false };
  private loop: Promise<void> | null = null;
  private lastReason = '';
  private lastKeyValue: LeaderValue | null = null;
  private readonly decideTimings: DecideTimings;
  private readonly serviceId: string;
  private readonly checkId: string;

  constructor(private readonly deps: ElectorDeps) {
    const t = deps.timings;
    this.decideTimings = {
      retryDelayMs: t.retryDelayMs,
      healthPollMs: Math.min(1000, t.healthCheckIntervalMs),
      // rule 5: the delay that refused us is the configured one; with 0 configured, a peer's may differ
      lockDelayRetryMs: t.lockDelayMs > 0 ? t.lockDelayMs : 1000,
      stepDownHoldOffMs: t.stepDownHoldOffMs,
    };
    this.serviceId = `${deps.identity.serviceName}-${deps.identity.instanceId}`;
    this.checkId = `service:${this.serviceId}`;
  }

  get current(): ElectionState {
    return this.state;
  }

  /** The leader as last seen in the key (ourselves when leading). */
  get leader(): LeaderValue | null {
    if (this.state.kind === 'leader') return this.leaderValue(this.state.term, this.state.since);
    return this.lastKeyValue;
  }

  get consulServiceId(): string {
    return this.serviceId;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Asks the leader to hand over; false when this instance does not hold the lock. */
  stepDown(): boolean {
    if (this.state.kind !== 'leader' && this.state.kind !== 'activating') return false;
    this.requests.stepDown = true;
    this.wake.abort();
    return true;
  }

  /** Renew and re-read the key now (after a freeze): the answer lifts or ends the leadership. */
  reconfirm(): void {
    this.requests.reconfirm = true;
    this.wake.abort();
  }

  /** Graceful stop: full graph closed, then lock released, session destroyed, service deregistered. */
  async stop(): Promise<void> {
    this.requests.shutdown = true;
    this.shutdown.abort();
    this.wake.abort();
    await (this.loop ?? Promise.resolve());
  }

  private async run(): Promise<void> {
    while (this.state.kind !== 'stopped') {
      const observation = await this.observe();
      const from = this.state;
      const decision = decide(from, observation, this.deps.clock.now(), this.decideTimings);
      await this.perform(decision.actions, sessionOf(from));
      this.transition(decision.next, decision.reason, decision.quiet ?? false);
      if (decision.waitMs > 0) await this.pause(decision.waitMs);
    }
  }

  private transition(next: ElectionState, reason: string, quiet = false): void {
    const from = this.state;
    this.state = next;
    if (from.kind !== next.kind) {
      this.lastReason = reason;
      this.enter(from, next);
      this.deps.listener.transition(from, next, reason);
    } else if (!quiet && reason !== this.lastReason) {
      // same state, new news (e.g. "lock held by X"): said once, not once per retry
      this.lastReason = reason;
      this.deps.listener.transition(from, next, reason);
    }
  }

  private enter(from: ElectionState, next: ElectionState): void {
    if (next.kind === 'activating') this.startActivation(next);
    if (next.kind === 'deactivating') {
      this.termController?.abort(); // rule 7: the graph learns first that leadership has ended
      this.stopHoldingWatch();
    }
    if (next.kind === 'backup' || next.kind === 'stopped') {
      this.stopHoldingWatch();
      this.activation = null;
      if (from.kind !== 'backup') this.watchIndex = 0;
    }
  }

  private async observe(): Promise<Observation> {
    // the flags are the truth; the wake signal only interrupts waits, so re-arm it once consumed
    if (this.wake.signal.aborted && !this.requests.shutdown) this.wake = new AbortController();
    if (this.requests.shutdown && this.state.kind !== 'deactivating') return { type: 'shutdown' };
    if (this.requests.stepDown) {
      this.requests.stepDown = false;
      if (this.state.kind === 'leader' || this.state.kind === 'activating') return { type: 'step-down' };
    }
    switch (this.state.kind) {
      case 'backup':
        return this.observeBackup();
      case 'acquiring':
        return this.observeAcquiring(this.state.sessionId);
      case 'activating':
      case 'leader':
        return this.observeHolding(this.state);
      case 'deactivating':
        await this.deps.graph.deactivate(this.lastReason);
        return { type: 'deactivated' };
      case 'stopped':
        return { type: 'shutdown' };
    }
  }

  private async observeBackup(): Promise<Observation> {
    const { consul, clock, identity, timings } = this.deps;
    return this.consulStep('register', async () => {
      if (!this.registered) {
        await consul.registerService({
          id: this.serviceId,
          name: identity.serviceName,
          address: identity.address,
          port: identity.port,
          checkId: this.checkId,
          checkUrl: identity.checkUrl,
          checkIntervalMs: timings.healthCheckIntervalMs,
          checkTimeoutMs: checkTimeoutFor(timings.healthCheckIntervalMs),
          tlsSkipVerify: false,
        });
        this.registered = true;
      }
      const health = await this.deps.health.check();
      if (!health.up) return { type: 'unhealthy', detail: health.detail };
      const status = await consul.checkStatus(this.checkId);
      if (status === undefined) {
        // the agent lost our registration (agent restart, state reset): register again next round
        this.registered = false;
        return { type: 'check-not-passing', detail: `${this.checkId} is not registered with the agent: registering again` };
      }
      if (status !== 'passing') return { type: 'check-not-passing', detail: `${this.checkId} is ${status}` };
      const sentAt = clock.now();
      try {
        const sessionId = await consul.createSession({
          name: `${identity.serviceName}-leader-${identity.instanceId}`,
          serviceCheckIds: [this.checkId],
          ttlSeconds: timings.sessionTtlMs / 1000,
          lockDelaySeconds: timings.lockDelayMs / 1000,
        });
        this.lease = { confirmedAt: sentAt, nextRenewAt: sentAt + timings.renewIntervalMs };
        return { type: 'session-created', sessionId };
      } catch (error) {
        if (error instanceof SessionRefusedError) return { type: 'check-not-passing', detail: error.detail };
        throw error;
      }
    });
  }

  private async observeAcquiring(sessionId: string): Promise<Observation> {
    const renewed = await this.renewIfDue(sessionId);
    if (renewed) return renewed;
    const health = await this.deps.health.check();
    if (!health.up) return { type: 'unhealthy', detail: health.detail };
    return this.consulStep('acquire', async () => {
      const blocked = this.watchIndex !== 0;
      const read = await this.readForAcquire();
      const holder = read.entry?.session ?? null;
      this.lastKeyValue = holder ? parseLeaderValue(read.entry?.value) : null;
      if (holder && holder !== sessionId) {
        this.watchIndex = read.index;
        return { type: 'key', holder };
      }
      this.watchIndex = 0;
      // rule 8 again: the read may have blocked for seconds, so the health seen before it is stale (a
      // fault that hits every instance frees the key exactly when our own health has just gone down)
      if (blocked) {
        const fresh = await this.deps.health.check();
        if (!fresh.up) return { type: 'unhealthy', detail: fresh.detail };
      }
      return this.tryAcquire(sessionId, read);
    });
  }

  /** Blocks on the key while someone else holds it, but wakes in time for our own session renewal. */
  private readForAcquire(): Promise<KeyRead> {
    const { consul, clock, identity, timings } = this.deps;
    if (this.watchIndex === 0) return consul.readKey(identity.leaderKey);
    const untilRenew = Math.max(1000, (this.lease?.nextRenewAt ?? 0) - clock.now());
    return consul.readKey(identity.leaderKey, {
      index: this.watchIndex,
      waitMs: Math.min(timings.blockingWaitMs, untilRenew),
      signal: this.shutdown.signal,
    });
  }

  private async tryAcquire(sessionId: string, before: KeyRead): Promise<Observation> {
    const { consul, identity, clock } = this.deps;
    const since = clock.now();
    const predictedTerm = (before.entry?.lockIndex ?? 0) + (before.entry?.session === sessionId ? 0 : 1);
    try {
      const value = (term: number) => JSON.stringify(this.leaderValue(term, since));
      if (!(await consul.acquire(identity.leaderKey, sessionId, value(predictedTerm)))) {
        const after = await consul.readKey(identity.leaderKey);
        return { type: 'refused', holder: after.entry?.session ?? null };
      }
      const after = await consul.readKey(identity.leaderKey);
      if (after.entry?.session !== sessionId) return { type: 'key', holder: after.entry?.session ?? null };
      const term = after.entry.lockIndex;
      // a re-acquire by the holder keeps LockIndex, so this only corrects the advertised term
      if (term !== predictedTerm) await consul.acquire(identity.leaderKey, sessionId, value(term));
      return { type: 'acquired', term };
    } catch (error) {
      if (error instanceof SessionInvalidatedError) return { type: 'session-gone' };
      throw error;
    }
  }

  private async observeHolding(state: Extract<ElectionState, { kind: 'activating' | 'leader' }>): Promise<Observation> {
    const { clock, timings } = this.deps;
    if (!this.lease) return { type: 'lease-expired' };
    const now = clock.now();
    if (now >= this.lease.confirmedAt + timings.renewDeadlineMs) return { type: 'lease-expired' };
    const renewed = await this.renewIfDue(state.sessionId);
    if (renewed) return renewed;
    this.holdingWatch ??= this.startHoldingWatch(state.sessionId);
    const timer = new AbortController();
    const contenders: Promise<Observation>[] = [this.holdingWatch.promise, this.untilWoken(timer.signal)];
    const nextDue = Math.min(this.lease.nextRenewAt, this.lease.confirmedAt + timings.renewDeadlineMs);
    contenders.push(this.sleepThen(nextDue - now, timer.signal, { type: 'renewed' }));
    if (state.kind === 'activating' && this.activation) {
      contenders.push(this.activation);
      const timeoutAt = state.since + timings.activationTimeoutMs;
      contenders.push(
        this.sleepThen(timeoutAt - now, timer.signal, {
          type: 'activation-failed',
          detail: `timed out after ${timings.activationTimeoutMs} ms`,
        }),
      );
    }
    try {
      const observation = await Promise.race(contenders);
      if (observation.type === 'key') this.holdingWatch = null;
      // the timer's "renewed" is only a wake-up: the next step renews or detects the deadline
      return observation.type === 'renewed' ? { type: 'key', holder: state.sessionId } : observation;
    } finally {
      timer.abort();
    }
  }

  private async renewIfDue(sessionId: string): Promise<Observation | null> {
    const { consul, clock, timings, identity } = this.deps;
    const reconfirming = this.requests.reconfirm;
    if (!this.lease || (clock.now() < this.lease.nextRenewAt && !reconfirming)) return null;
    this.requests.reconfirm = false;
    const sentAt = clock.now();
    try {
      if (!(await consul.renewSession(sessionId))) return { type: 'session-gone' };
      this.lease = { confirmedAt: sentAt, nextRenewAt: sentAt + timings.renewIntervalMs };
      if (reconfirming) {
        // after a freeze, a live session is not enough: the key must still name it
        const holder = (await consul.readKey(identity.leaderKey)).entry?.session ?? null;
        if (holder !== sessionId) return { type: 'key', holder };
      }
      this.deps.listener.confirmed?.(sentAt);
      return { type: 'renewed' };
    } catch (error) {
      this.lease.nextRenewAt = clock.now() + timings.renewRetryMs;
      this.deps.listener.consulError('renew', describeError(error));
      return { type: 'consul-unavailable', detail: describeError(error) };
    }
  }

  /** Watches the key while we hold it; resolves only when it is not ours any more (rule 1). */
  private startHoldingWatch(sessionId: string): { promise: Promise<Observation>; abort: AbortController } {
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, this.shutdown.signal]);
    const { consul, clock, identity, timings } = this.deps;
    const backoff = new Backoff(500, timings.renewIntervalMs, this.deps.random);
    const promise = (async (): Promise<Observation> => {
      let index = 0;
      for (;;) {
        try {
          const read = await consul.readKey(identity.leaderKey, { index, waitMs: timings.blockingWaitMs, signal });
          backoff.reset();
          index = read.index < index ? 0 : read.index; // consul-api.md §5.2: reset when the index goes backwards
          const holder = read.entry?.session ?? null;
          if (holder !== sessionId) {
            this.lastKeyValue = holder ? parseLeaderValue(read.entry?.value) : null;
            return { type: 'key', holder };
          }
        } catch (error) {
          if (signal.aborted || isAbortError(error)) return new Promise<Observation>(() => undefined);
          this.deps.listener.consulError('watch', describeError(error));
          index = 0;
          await clock.sleep(backoff.next(), signal).catch(() => undefined);
        }
      }
    })();
    return { promise, abort };
  }

  private stopHoldingWatch(): void {
    this.holdingWatch?.abort.abort();
    this.holdingWatch = null;
  }

  private startActivation(state: Extract<ElectionState, { kind: 'activating' }>): void {
    this.termController = new AbortController();
    const { signal } = this.termController;
    const context = {
      instanceId: this.deps.identity.instanceId,
      term: state.term,
      since: new Date(state.since).toISOString(),
      signal: this.termController.signal,
      isLeading: () => !signal.aborted && (this.deps.mayAct?.() ?? true),
    };
    this.activation = this.deps.graph.activate(context).then(
      (): Observation => ({ type: 'activated' }),
      (error): Observation => ({ type: 'activation-failed', detail: describeError(error) }),
    );
  }

  private leaderValue(term: number, since: number): LeaderValue {
    const { identity } = this.deps;
    return {
      id: identity.instanceId,
      address: `${identity.address}:${identity.port}`,
      url: identity.url,
      since: new Date(since).toISOString(),
      term,
    };
  }

  /** Runs a Consul-using step; unavailability and denials become observations (STYLE.md rule 5). */
  private async consulStep(operation: string, step: () => Promise<Observation>): Promise<Observation> {
    try {
      return await step();
    } catch (error) {
      if (this.requests.shutdown) return { type: 'shutdown' };
      const detail = error instanceof ConsulAccessDeniedError ? `${error.message} (check ha.consulToken)` : describeError(error);
      this.deps.listener.consulError(operation, detail);
      return { type: 'consul-unavailable', detail };
    }
  }

  private async perform(actions: CleanupAction[], sessionId: string | null): Promise<void> {
    const { consul, identity } = this.deps;
    for (const action of actions) {
      try {
        if (action === 'release' && sessionId) await consul.release(identity.leaderKey, sessionId);
        if (action === 'destroy-session' && sessionId) {
          this.lease = null;
          await consul.destroySession(sessionId);
        }
        if (action === 'deregister' && this.registered) {
          this.registered = false;
          await consul.deregisterService(this.serviceId);
        }
      } catch (error) {
        // best effort: consul's TTL and check invalidation clean up what we could not
        this.deps.listener.consulError(action, describeError(error));
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    await this.deps.clock.sleep(ms, this.wake.signal).catch(() => undefined);
  }

  private untilWoken(timer: AbortSignal): Promise<Observation> {
    return new Promise((resolve) => {
      const fire = () => {
        if (this.requests.shutdown) return resolve({ type: 'shutdown' });
        if (this.requests.stepDown) {
          this.requests.stepDown = false;
          return resolve({ type: 'step-down' });
        }
        resolve({ type: 'key', holder: sessionOf(this.state) }); // spurious wake: a harmless re-check
      };
      if (this.wake.signal.aborted) return fire();
      this.wake.signal.addEventListener('abort', fire, { once: true });
      timer.addEventListener('abort', () => this.wake.signal.removeEventListener('abort', fire), { once: true });
    });
  }

  private sleepThen(ms: number, signal: AbortSignal, observation: Observation): Promise<Observation> {
    return this.deps.clock.sleep(Math.max(0, ms), signal).then(
      () => observation,
      () => new Promise<Observation>(() => undefined),
    );
  }
}
