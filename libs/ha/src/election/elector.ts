import { linkedSignal } from '../clock/linked-signal.js';
import { ConsulAccessDeniedError, describeError } from '../consul/consul-errors.js';
import { decide, decideTimingsOf, nextDueAt, nextRaceStep, type Action, type DecideTimings } from './decide.js';
import { holdsLock, sessionOf, type ElectionState } from './election-state.js';
import { HoldingDuties } from './holding-duties.js';
import type { LeaderValue, Member } from './leader-value.js';
import { Mailbox } from './mailbox.js';
import { OwnKeyValue } from './own-key-value.js';
import type { Observation } from './observation.js';
import { RaceSteps } from './race-steps.js';
import { SessionCleanup } from './session-cleanup.js';
import type { ElectorDeps } from './elector-deps.js';

/**
 * The election loop: take one request from the mailbox or gather one observation, let decide() choose,
 * perform the actions it asks for, transition. All I/O goes through the Consul, health, peer and graph
 * ports (race-steps.ts, session-cleanup.ts); all time through the Clock. While the lock is held, the
 * holding's duties run in the background (holding-duties.ts) and the loop only takes their observations,
 * so no Consul call can hold a demotion up (rule 11).
 */
export class Elector {
  private state: ElectionState = { kind: 'backup' };
  private readonly race: RaceSteps;
  private readonly cleanup: SessionCleanup;
  /** The background duties of the current holding of the lock (renew, proof, watches, activation). */
  private duties: HoldingDuties | null = null;
  private readonly mailbox = new Mailbox();
  private loop: Promise<void> | null = null;
  private lastReason = '';
  private lastKeyValue: LeaderValue | null = null;
  private readonly decideTimings: DecideTimings;
  /** What this instance writes into the key, with its takeover-pending and failsafe-grant memory. */
  private readonly keyValue: OwnKeyValue;
  /** News from outside the loop (rule 14: this instance freed a crashed holder's lock), logged in order. */
  private readonly news: Observation[] = [];
  /** The members the last holding of ours wrote: still the best list once it ended cut off from Consul. */
  private lastTermMembers: Member[] = [];

  constructor(private readonly deps: ElectorDeps) {
    this.decideTimings = { ...decideTimingsOf(deps.timings), failsafeMaxMs: deps.failsafe?.timings.maxMs ?? 0 };
    this.keyValue = new OwnKeyValue(deps);
    this.race = new RaceSteps({ ...deps, leaderValue: (term, since, takeoverPending) => this.keyValue.of(term, since, takeoverPending) });
    const onError = (operation: string, detail: string) => deps.listener.consulError(operation, detail);
    this.cleanup = new SessionCleanup({ ...deps, leaderKey: deps.identity.leaderKey, retryCapMs: deps.timings.renewIntervalMs, shutdown: this.mailbox.shutdownSignal, onError });
    // rule 10: once this instance promised a peer not to act, only a later proof lets it act again
    deps.term.onPromise((at) => this.duties?.channel.post({ type: 'promised-not-acting', at }));
  }

  get current(): ElectionState {
    return this.state;
  }

  /** The leader as last seen in the key (ourselves while holding it). */
  get leader(): LeaderValue | null {
    return holdsLock(this.state) ? this.keyValue.of(this.state.term, this.state.since) : this.lastKeyValue;
  }

  /** The cluster's members as last known: written by this holding, or read from the key (rule 13). */
  knownMembers(): Member[] {
    return this.duties?.members() ?? this.lastKeyValue?.members ?? this.lastTermMembers;
  }

  /** Holds the lock, is releasing it, or has stopped: such an instance confirms no failsafe (rule 13). */
  holdsOrReleasesLock(): boolean {
    const kind = this.state.kind;
    return kind === 'activating' || kind === 'leader' || kind === 'deactivating' || kind === 'stopped';
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Rule 14: this instance proved the holder's crash and freed the lock; said once in the transition log. */
  noteFreedByPeer(detail: string): void {
    this.news.push({ type: 'freed-by-peer', detail });
  }

  /** Asks the leader to hand over (to `candidate` when given); false when this instance does not hold the lock. */
  stepDown(candidate?: string): boolean {
    if (!holdsLock(this.state)) return false;
    this.mailbox.requestStepDown(candidate);
    return true;
  }

  /** Graceful stop: full graph closed, then lock released, session destroyed, service deregistered. */
  async stop(): Promise<void> {
    this.mailbox.requestShutdown();
    await (this.loop ?? Promise.resolve());
  }

  private async run(): Promise<void> {
    while (this.state.kind !== 'stopped') {
      const observation = this.mailbox.take(holdsLock(this.state)) ?? this.news.shift() ?? (await this.observe());
      const from = this.state;
      // rule 13: the predecessor provably stopped, so a failsafe promise made to it is kept
      if (observation.type === 'predecessor-stopped' && from.kind === 'activating' && from.takeover.peer) this.deps.failsafe?.member.leaderStopped(from.takeover.peer.id);
      const decision = decide(from, observation, this.deps.clock.now(), this.decideTimings);
      await this.perform(decision.actions, from);
      this.transition(decision.next, decision.reason, decision.quiet ?? false);
      if (decision.waitMs > 0) await this.deps.clock.sleep(decision.waitMs, this.mailbox.wakeSignal).catch(() => undefined);
    }
  }

  private transition(next: ElectionState, reason: string, quiet: boolean): void {
    const from = this.state;
    this.state = next;
    this.deps.term.follow(next); // first: leaving the lock aborts the holding's signal before anything else (rule 7)
    this.keyValue.follow(from, next);
    if (from.kind !== next.kind) {
      this.lastReason = reason;
      this.enter(from, next);
      // rule 13: the members keeper writes the key's value now, not at its next interval (own-key-value.ts)
      if (next.kind === 'leader') this.duties?.writeKeyValueNow();
      this.deps.listener.transition(from, next, reason);
    } else if (!quiet && reason !== this.lastReason) {
      // same state, new news (e.g. "lock held by X", "lease lapsed"): said once, not once per retry
      this.lastReason = reason;
      this.deps.listener.transition(from, next, reason);
    }
  }

  private enter(from: ElectionState, next: ElectionState): void {
    if (next.kind === 'activating') {
      this.deps.onHolderSeen?.(null);
      const onConsulError = (operation: string, detail: string) => this.deps.listener.consulError(operation, detail);
      this.duties = new HoldingDuties({
        ...this.deps,
        onConsulError,
        state: next,
        onKeyValue: (value) => (this.lastKeyValue = value),
        current: () => this.state,
        valueWith: (members) => JSON.stringify({ ...this.keyValue.of(next.term, next.since), members }),
      });
      this.duties.start();
    }
    if (!holdsLock(next)) {
      // rule 7: the graph learned first (the acting term's signal) that leadership has ended; the duties stop with it
      this.lastTermMembers = this.duties?.members() ?? this.lastTermMembers;
      this.duties?.stop();
      this.duties = null;
    }
    if (next.kind === 'backup' && from.kind !== 'backup') this.race.reset();
  }

  private async observe(): Promise<Observation> {
    const state = this.state;
    switch (state.kind) {
      case 'backup':
        return this.consulStep('register', () => this.race.backupStep());
      case 'acquiring': {
        const step = nextRaceStep(state, this.deps.clock.now(), this.decideTimings);
        if (step.renew) return this.race.renew(state.sessionId, (detail) => this.deps.listener.consulError('renew', detail));
        return this.consulStep('acquire', async () => {
          const observation = await this.race.acquireStep(state, step.untilRenewMs, this.mailbox.shutdownSignal);
          this.lastKeyValue = this.race.lastValue;
          this.deps.onHolderSeen?.(this.race.lastHolder);
          return observation;
        });
      }
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

  /** Takes the next observation of the holding's duties, or a tick when a deadline comes due (rules 2, 3, 9, 10). */
  private async observeHolding(): Promise<Observation> {
    const duties = this.duties;
    if (!duties) return { type: 'session-gone' }; // cannot happen: the duties start on entering activating
    duties.track(this.state);
    const queued = duties.channel.take();
    if (queued) return queued;
    const step = new AbortController();
    const dueAt = nextDueAt(this.state, this.decideTimings);
    const waitMs = dueAt === null ? this.deps.timings.renewIntervalMs : Math.max(0, dueAt - this.deps.clock.now());
    const sleepEnds = linkedSignal([step.signal, this.mailbox.wakeSignal]);
    try {
      await Promise.race([duties.channel.ready(step.signal), this.deps.clock.sleep(waitMs, sleepEnds.signal).catch(() => undefined)]);
    } finally {
      step.abort();
      sleepEnds.dispose();
    }
    return this.mailbox.take(true) ?? duties.channel.take() ?? { type: 'tick' };
  }

  /** Runs a Consul-using step; unavailability and denials become observations (docs/architecture.md §7, convention 5). */
  private async consulStep(operation: string, step: () => Promise<Observation>): Promise<Observation> {
    try {
      return await step();
    } catch (error) {
      if (this.mailbox.shuttingDown) return { type: 'shutdown' };
      this.race.reset();
      const detail = error instanceof ConsulAccessDeniedError ? `${error.message} (check ha.consulToken)` : describeError(error);
      this.deps.listener.consulError(operation, detail);
      return { type: 'consul-unavailable', detail };
    }
  }

  private async perform(actions: Action[], from: ElectionState): Promise<void> {
    if (actions.length === 0) return; // most steps: no value to build
    const sessionId = sessionOf(from);
    const value = this.keyValue.released(from);
    for (const action of actions) {
      if (typeof action === 'object') {
        // rule 14: a failure only means the next read sees that session again
        await this.race.destroyStale(action.sessionId).catch((error: unknown) => this.deps.listener.consulError('destroy-stale-session', describeError(error)));
        continue;
      }
      if (action === 'prove-now') this.duties?.keeper.proveNow();
      if (action === 'register-again') this.race.forgetRegistration();
      if (action === 'release' && sessionId) await this.cleanup.release(sessionId, value);
      if (action === 'destroy-session' && sessionId) await this.cleanup.destroy(sessionId, value);
      if (action === 'deregister') await this.race.deregister().catch((error: unknown) => this.deps.listener.consulError('deregister', describeError(error)));
    }
  }
}
