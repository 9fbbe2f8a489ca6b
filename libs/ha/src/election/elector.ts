import type { Clock } from '../clock/clock.port.js';
import { ConsulAccessDeniedError, SessionRefusedError, describeError } from '../consul/consul-errors.js';
import type { ConsulPort } from '../consul/consul.port.js';
import { Backoff } from '../clock/backoff.js';
import { AcquireAttempt } from './acquire-attempt.js';
import { decide, nextDueAt, type Action, type DecideTimings } from './decide.js';
import { sessionOf, termOf, type ElectionState } from './election-state.js';
import { HoldingTerm } from './holding-term.js';
import type { LeaderValue, Member } from './leader-value.js';
import type { Observation } from './observation.js';
import type { ElectionListener, ElectorIdentity, ElectorTimings, FullGraphPort, LocalHealthPort, PeerProbePort } from './ports.js';
import type { ElectorFailsafe } from '../failsafe/elector-failsafe.js';
import type { ActingTerm } from '../term/acting-term.js';

export interface ElectorDeps {
  consul: ConsulPort;
  clock: Clock;
  health: LocalHealthPort;
  graph: FullGraphPort;
  listener: ElectionListener;
  identity: ElectorIdentity;
  timings: ElectorTimings;
  /** The one answer to "may this instance act now?": the elector keeps it following the election. */
  term: ActingTerm;
  /** Asks a predecessor whether it still acts (rule 10); without it, only the lease wait makes a takeover safe. */
  peers?: PeerProbePort;
  /** Rule 13 (docs/architecture.md): present when ha.failsafe is on. */
  failsafe?: ElectorFailsafe;
  random?: () => number;
}

/** Timeout of Consul's HTTP check: the interval, within Consul's 1 s minimum and 10 s default. */
export function checkTimeoutFor(healthCheckIntervalMs: number): number {
  return Math.max(1000, Math.min(10_000, healthCheckIntervalMs));
}

/**
 * The election loop: gather one observation, let decide() choose, perform the cleanup it asks for,
 * transition. All I/O goes through the Consul, health, peer and graph ports; all time through the Clock.
 * While the lock is held, the term's duties run in the background (holding-term.ts) and the loop only
 * takes their observations, so no Consul call can hold a demotion up (rule 11).
 */
export class Elector {
  private state: ElectionState = { kind: 'backup' };
  private registered = false;
  /** Monotonic send time of the last renew that Consul accepted, while acquiring. */
  private sessionRenewedAt = 0;
  private readonly attempt: AcquireAttempt;
  /** The background duties of the current holding of the lock (renew, proof, watches, activation). */
  private duties: HoldingTerm | null = null;
  private readonly shutdown = new AbortController();
  private wake = new AbortController();
  private requests: { shutdown: boolean; stepDown: { candidate?: string } | null } = { shutdown: false, stepDown: null };
  private loop: Promise<void> | null = null;
  private lastReason = '';
  private lastKeyValue: LeaderValue | null = null;
  /** The failsafe extension last handed to the term as a grant. */
  private grantedUntil: number | undefined;
  /** The members the last term of ours wrote: still the best list once it ended cut off from Consul. */
  private lastTermMembers: Member[] = [];
  /** A session whose release or destroy failed at the end of a term: cleaned up in the background. */
  private leftover: { sessionId: string; value: string } | null = null;
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
      activationTimeoutMs: t.activationTimeoutMs,
      leaseMs: t.leaseMs,
      renewDeadlineMs: t.renewDeadlineMs,
      takeoverMarginMs: t.takeoverMarginMs,
      failsafeMaxMs: deps.failsafe?.timings.maxMs ?? 0,
    };
    // rule 10: once this instance promised a peer not to act, only a later proof lets it act again
    deps.term.onPromise((at) => this.duties?.channel.post({ type: 'promised-not-acting', at }));
    this.serviceId = `${deps.identity.serviceName}-${deps.identity.instanceId}`;
    this.checkId = `service:${this.serviceId}`;
    this.attempt = new AcquireAttempt({
      consul: deps.consul,
      clock: deps.clock,
      health: deps.health,
      identity: deps.identity,
      timings: {
        blockingWaitMs: t.blockingWaitMs,
        handoverWindowMs: t.handoverWindowMs,
        // rule 13: a leader on failsafe acts at most failsafeMax past its lease, then its lease + margin runs out
        unlistedWaitMs: deps.failsafe ? deps.failsafe.timings.maxMs + t.leaseMs + t.takeoverMarginMs : 0,
      },
      leaderValue: (term, since) => this.leaderValue(term, since),
      keySeen: (entry) => deps.failsafe?.member.keySeen(entry),
    });
  }

  get current(): ElectionState {
    return this.state;
  }

  /** The leader as last seen in the key (ourselves while holding it). */
  get leader(): LeaderValue | null {
    if (this.state.kind === 'leader' || this.state.kind === 'activating') return this.leaderValue(this.state.term, this.state.since);
    return this.lastKeyValue;
  }

  /** The cluster's members as last known: written by this term, or read from the key (rule 13). */
  knownMembers(): Member[] {
    return this.duties?.members() ?? this.lastKeyValue?.members ?? this.lastTermMembers;
  }

  get consulServiceId(): string {
    return this.serviceId;
  }

  /** Holds the lock, is releasing it, or has stopped: such an instance confirms no failsafe (rule 13). */
  holdsLock(): boolean {
    const kind = this.state.kind;
    return kind === 'activating' || kind === 'leader' || kind === 'deactivating' || kind === 'stopped';
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Asks the leader to hand over (to `candidate` when given); false when this instance does not hold the lock. */
  stepDown(candidate?: string): boolean {
    if (this.state.kind !== 'leader' && this.state.kind !== 'activating') return false;
    this.requests.stepDown = { candidate };
    this.wake.abort();
    return true;
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
      // rule 13: the predecessor provably stopped, so a failsafe promise made to it is kept
      if (observation.type === 'predecessor-stopped' && from.kind === 'activating' && from.takeover.peer) this.deps.failsafe?.member.leaderStopped(from.takeover.peer.id);
      const decision = decide(from, observation, this.deps.clock.now(), this.decideTimings);
      await this.perform(decision.actions, from);
      this.transition(decision.next, decision.reason, decision.quiet ?? false);
      if (decision.waitMs > 0) await this.pause(decision.waitMs);
    }
  }

  private transition(next: ElectionState, reason: string, quiet = false): void {
    const from = this.state;
    this.state = next;
    this.deps.term.follow(next); // first: leaving the lock aborts the term's signal before anything else (rule 7)
    this.grantFailsafe(next);
    if (from.kind !== next.kind) {
      this.lastReason = reason;
      this.enter(from, next);
      this.deps.listener.transition(from, next, reason);
    } else if (!quiet && reason !== this.lastReason) {
      // same state, new news (e.g. "lock held by X", "lease lapsed"): said once, not once per retry
      this.lastReason = reason;
      this.deps.listener.transition(from, next, reason);
    }
  }

  /** Rule 13: a failsafe extension in the lease is the term's grant (the round's send time counts like a proof's). */
  private grantFailsafe(next: ElectionState): void {
    const until = next.kind === 'leader' ? next.lease.failsafeUntil : undefined;
    if (until === this.grantedUntil) return;
    this.grantedUntil = until;
    if (next.kind === 'leader' && until !== undefined) this.deps.term.grant({ until, sentAt: next.lease.failsafeSentAt ?? next.lease.provenAt });
    else this.deps.term.grant(null);
  }

  private enter(from: ElectionState, next: ElectionState): void {
    if (next.kind === 'activating') {
      this.duties = new HoldingTerm({
        ...this.deps,
        state: next,
        current: () => this.state,
        valueWith: (members) => JSON.stringify({ ...this.leaderValue(next.term, next.since), members }),
        onKeyValue: (value) => (this.lastKeyValue = value),
      });
      this.duties.start();
    }
    if (next.kind === 'deactivating' || next.kind === 'backup' || next.kind === 'stopped') {
      // rule 7: the graph learns first that leadership has ended; the term's duties stop with it
      this.lastTermMembers = this.duties?.members() ?? this.lastTermMembers;
      this.duties?.stop();
      this.duties = null;
    }
    if (next.kind === 'backup' && from.kind !== 'backup') this.attempt.reset();
  }

  private async observe(): Promise<Observation> {
    // the flags are the truth; the wake signal only interrupts waits, so re-arm it once consumed
    if (this.wake.signal.aborted && !this.requests.shutdown) this.wake = new AbortController();
    if (this.requests.shutdown && this.state.kind !== 'deactivating') return { type: 'shutdown' };
    const stepDown = this.requests.stepDown;
    if (stepDown) {
      this.requests.stepDown = null;
      if (this.state.kind === 'leader' || this.state.kind === 'activating') return { type: 'step-down', ...stepDown };
    }
    switch (this.state.kind) {
      case 'backup':
        return this.consulStep('register', () => this.observeBackup());
      case 'acquiring':
        return this.observeAcquiring(this.state.sessionId);
      case 'activating':
      case 'leader':
        return this.observeHolding();
      case 'deactivating':
        await this.deps.graph.deactivate(this.lastReason);
        return { type: 'deactivated' };
      case 'stopped':
        return { type: 'shutdown' };
    }
  }

  private async observeBackup(): Promise<Observation> {
    const { consul, identity, timings } = this.deps;
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
    const sentAt = this.deps.clock.now();
    try {
      const sessionId = await consul.createSession({
        name: `${identity.serviceName}-leader-${identity.instanceId}`,
        serviceCheckIds: [this.checkId],
        ttlSeconds: timings.sessionTtlMs / 1000,
        lockDelaySeconds: timings.lockDelayMs / 1000,
      });
      this.sessionRenewedAt = sentAt; // the TTL runs from (after) the create, like from a renew
      return { type: 'session-created', sessionId };
    } catch (error) {
      if (error instanceof SessionRefusedError) return { type: 'check-not-passing', detail: error.detail };
      throw error;
    }
  }

  private async observeAcquiring(sessionId: string): Promise<Observation> {
    const { consul, clock, timings } = this.deps;
    const renewAt = this.sessionRenewedAt + timings.renewIntervalMs;
    if (clock.now() >= renewAt) {
      // not on a leader's path: nobody acts on this session yet, so a plain renew is enough here
      const sentAt = clock.now();
      try {
        if (!(await consul.renewSession(sessionId))) return { type: 'session-gone' };
        this.sessionRenewedAt = sentAt;
        return { type: 'renewed', sentAt };
      } catch (error) {
        this.deps.listener.consulError('renew', describeError(error));
        return { type: 'consul-unavailable', detail: describeError(error) };
      }
    }
    const health = await this.deps.health.check();
    if (!health.up) return { type: 'unhealthy', detail: health.detail };
    return this.consulStep('acquire', async () => {
      const observation = await this.attempt.run(sessionId, renewAt - clock.now(), this.shutdown.signal);
      this.lastKeyValue = this.attempt.lastValue;
      return observation.type === 'acquired' ? { ...observation, renewedAt: this.sessionRenewedAt } : observation;
    });
  }

  /** Takes the next observation of the term's duties, or a tick when a deadline comes due (rules 2, 3, 9, 10). */
  private async observeHolding(): Promise<Observation> {
    const term = this.duties;
    if (!term) return { type: 'session-gone' }; // cannot happen: a term starts on entering activating
    term.track(this.state);
    const queued = term.channel.take();
    if (queued) return queued;
    const step = new AbortController();
    const dueAt = nextDueAt(this.state, this.decideTimings);
    const waitMs = dueAt === null ? this.deps.timings.renewIntervalMs : Math.max(0, dueAt - this.deps.clock.now());
    try {
      await Promise.race([
        term.channel.ready(step.signal),
        this.deps.clock.sleep(waitMs, AbortSignal.any([step.signal, this.wake.signal])).catch(() => undefined),
      ]);
    } finally {
      step.abort();
    }
    if (this.requests.shutdown) return { type: 'shutdown' };
    const stepDown = this.requests.stepDown;
    if (stepDown) {
      this.requests.stepDown = null;
      return { type: 'step-down', ...stepDown };
    }
    return term.channel.take() ?? { type: 'tick' };
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

  /** Runs a Consul-using step; unavailability and denials become observations (STYLE rule 5). */
  private async consulStep(operation: string, step: () => Promise<Observation>): Promise<Observation> {
    try {
      return await step();
    } catch (error) {
      if (this.requests.shutdown) return { type: 'shutdown' };
      this.attempt.reset();
      const detail = error instanceof ConsulAccessDeniedError ? `${error.message} (check ha.consulToken)` : describeError(error);
      this.deps.listener.consulError(operation, detail);
      return { type: 'consul-unavailable', detail };
    }
  }

  private async perform(actions: Action[], from: ElectionState): Promise<void> {
    const { consul, identity } = this.deps;
    const sessionId = sessionOf(from);
    const value = JSON.stringify(this.releasedValue(from));
    for (const action of actions) {
      if (action === 'prove-now') {
        this.duties?.keeper.proveNow();
        continue;
      }
      try {
        // rule 4 + rule 10: the value says the holder stopped cleanly, so the next one acts at once
        if (action === 'release' && sessionId) await consul.release(identity.leaderKey, sessionId, value);
        if (action === 'destroy-session' && sessionId) await consul.destroySession(sessionId);
        if (action === 'deregister' && this.registered) {
          this.registered = false;
          await consul.deregisterService(this.serviceId);
        }
      } catch (error) {
        this.deps.listener.consulError(action, describeError(error));
        // Consul unreachable (quorum lost, agent cut off): our old session would keep the key until its
        // TTL, which a new server leader restarts at 2 x TTL (fact 23); clean it up as soon as we can
        if (action !== 'deregister' && sessionId && !this.leftover) {
          this.leftover = { sessionId, value };
          void this.retryLeftover();
        }
      }
    }
  }

  /** Retries the cleanup of a leftover session in the background, whatever state the loop is in. */
  private async retryLeftover(): Promise<void> {
    const backoff = new Backoff(500, this.deps.timings.renewIntervalMs, this.deps.random);
    while (this.leftover && !this.shutdown.signal.aborted) {
      await this.deps.clock.sleep(backoff.next(), this.shutdown.signal).catch(() => undefined);
      await this.cleanUpLeftover().catch(() => undefined);
    }
  }

  /** The key's value on a clean release (rule 4): ourselves, marked released, naming a chosen successor. */
  private releasedValue(from: ElectionState): LeaderValue {
    const candidate = from.kind === 'deactivating' ? from.candidate : undefined;
    return { ...this.leaderValue(termOf(from), this.deps.clock.wallNow()), released: true, ...(candidate ? { candidate } : {}) };
  }

  /** Releases and destroys a session a failed cleanup left behind (rule 4 late); throws while Consul is unreachable. */
  private async cleanUpLeftover(): Promise<void> {
    const leftover = this.leftover;
    if (!leftover) return;
    await this.deps.consul.release(this.deps.identity.leaderKey, leftover.sessionId, leftover.value);
    await this.deps.consul.destroySession(leftover.sessionId);
    this.leftover = null;
  }

  private async pause(ms: number): Promise<void> {
    await this.deps.clock.sleep(ms, this.wake.signal).catch(() => undefined);
  }
}
