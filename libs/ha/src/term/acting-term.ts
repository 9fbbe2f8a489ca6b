import type { Clock } from '../clock/clock.port.js';
import { holdsLock, type ElectionState } from '../election/election-state.js';
import { actingUntil, type Lease } from '../election/lease.js';

/** How fresh this leader's proof of ownership is (metrics, CLI); nulls when not holding the lock. */
export interface LeaseStatus {
  /** Milliseconds since the request that last proved ownership was sent. */
  provenAgoMs: number | null;
  /** Milliseconds left before the lease lapses (0 when lapsed or not holding). */
  remainingMs: number;
  leaseMs: number;
}

/**
 * An extra "acting until" granted to the holder from outside the lease (docs/architecture.md, "The
 * term"): the extension point of rule 13's failsafe, where a round that every member confirmed lets the
 * leader act until the round's send time + lease although Consul cannot prove it. Like a proof, a grant
 * counts only when its round was sent after the last not-acting promise.
 */
export interface ActingGrant {
  /** Monotonic time until which the grant lets this instance act. */
  readonly until: number;
  /** Monotonic send time of the request that earned the grant. */
  readonly sentAt: number;
}

/** One holding of the lock (or HA off's single holding), from its start to its end. */
interface Holding {
  readonly controller: AbortController;
  /** The lease as the election last knew it; null with HA off (a term that never ends). */
  lease: Lease | null;
  /** The full graph is up and the takeover safe (election state `leader`, or HA off once booted). */
  serving: boolean;
  grant: ActingGrant | null;
}

/**
 * The one answer to "may this instance act now?" (docs/architecture.md, "The term"). It holds what that
 * answer depends on, and nothing else keeps a copy:
 * - the lease of the current holding, as the election last changed it (rules 2, 9), with the not-acting
 *   promise floor of rule 10 inside it: a proof sent before this instance last told a peer "not acting"
 *   never counts;
 * - the holding's signal, which aborts the moment the election leaves `activating`/`leader` (rule 7);
 * - the quiesce phase of a leader about to give up the lock on purpose (step-down, SIGTERM);
 * - the extension point of rule 13 (grant()) for an acting time that does not come from a proof.
 *
 * Every reader goes through mayAct(): the leader probe, the dispatch and forwarding, the
 * `a4c_ha_acting`/`a4c_ha_leader` gauges and `GET /rest/admin/ha`; HaContext.isLeading() (so the fence
 * and the fenced store) through mayFinish(), the same answer except during a quiesce, when work already
 * taken on still finishes. With HA off the holding starts once at boot and never ends until shutdown.
 *
 * Writers: the elector (follow() on every transition), the leader probe (promiseNotActing() when its
 * answer can serve as a peer's rule 10 proof), the hand-over coordinator (quiesce()/resume()), and
 * rule 13's failsafe (grant()). Peer crash detection (rule 14) feeds the election as observations and
 * reads this term (a peer that acts never frees the lock); it needs no writer of its own here.
 */
export class ActingTerm {
  private holding: Holding | null = null;
  /** Monotonic time of the last "not acting" this instance promised to a peer (rule 10). */
  private promisedAt = -Infinity;
  private quiescing = false;
  private readonly listeners = new Set<() => void>();
  private readonly promiseListeners = new Set<(at: number) => void>();
  private readonly timings: { leaseMs: number };
  /** Rule 13: a failsafe confirmation given to another leader binds this instance while this says so. */
  private restraint: ((now: number) => boolean) | null = null;

  constructor(
    private readonly clock: Clock,
    /** ha.leaderLeaseInSecond in ms: how long a proof lets this instance act (rule 9). */
    private readonly leaseMs: number,
  ) {
    this.timings = { leaseMs };
  }

  /** Rules 3, 9, 10 (and 13 through a grant): whether this instance may act at monotonic time `now`. */
  mayAct(now: number = this.clock.now()): boolean {
    return !this.quiescing && this.mayFinish(now);
  }

  /**
   * Whether work this instance already took on may still take effect (HaContext.isLeading(), hence the
   * fence): mayAct() without the quiesce phase. A leader handing over on purpose stops taking new work
   * but finishes what its full graph serves: it still holds the lock, its lease still runs, and the drain
   * ends before the release (rule 4). A not-acting promise (rule 10) ends this too: its floor is in the
   * lease.
   */
  mayFinish(now: number = this.clock.now()): boolean {
    const holding = this.holding;
    if (!holding || holding.controller.signal.aborted || !holding.serving) return false;
    if (this.restraint?.(now)) return false;
    return holding.lease === null || now < this.actingUntil(holding);
  }

  /** Rule 13: acting rests on a failsafe grant now: the proof part of the lease is over, the grant is not. */
  actsOnGrant(now: number = this.clock.now()): boolean {
    const holding = this.holding;
    if (!holding?.lease || !holding.grant || !this.mayAct(now)) return false;
    return now >= holding.lease.provenAt + this.leaseMs;
  }

  /**
   * Rule 13's promise of a member: while `binds(now)` says so, this instance does not act on any lock
   * (it confirmed another leader's failsafe round; docs/architecture.md).
   */
  restrain(binds: (now: number) => boolean): void {
    this.restraint = binds;
  }

  /** The signal of the current holding (aborts when it ends); null when not holding. */
  get signal(): AbortSignal | null {
    return this.holding?.controller.signal ?? null;
  }

  /** This instance holds the lock (activating or leader), or runs HA off: it may come to act soon. */
  get holdsLock(): boolean {
    return this.holding !== null;
  }

  /** The lease of the current holding (null: none, or HA off). */
  leaseStatus(now: number = this.clock.now()): LeaseStatus {
    const lease = this.holding?.lease;
    if (!lease) return { provenAgoMs: null, remainingMs: 0, leaseMs: this.leaseMs };
    const remainingMs = this.mayAct(now) && this.holding ? Math.max(0, this.actingUntil(this.holding) - now) : 0;
    return { provenAgoMs: Math.max(0, now - lease.provenAt), remainingMs, leaseMs: this.leaseMs };
  }

  /**
   * Follows the election (called by the elector on every transition, quiet ones included): a holding
   * starts on entering `activating` and ends, its signal aborted, on leaving `activating`/`leader`.
   */
  follow(state: ElectionState): void {
    if (holdsLock(state)) {
      const holding = this.holding ?? this.begin();
      const changed = holding.serving !== (state.kind === 'leader');
      holding.lease = state.lease;
      holding.serving = state.kind === 'leader';
      if (changed) this.notify();
      return;
    }
    this.end();
  }

  /** HA off: the one holding, started before the full graph boots (its signal goes into the HaContext). */
  beginStandalone(): AbortSignal {
    return this.begin().controller.signal;
  }

  /** HA off: the full graph is up; this instance acts until end(). */
  serveStandalone(): void {
    if (!this.holding) return;
    this.holding.serving = true;
    this.notify();
  }

  /** Ends the current holding (its signal aborts first: rule 7); a no-op when not holding. */
  end(): void {
    const holding = this.holding;
    if (!holding) return;
    this.holding = null;
    this.quiescing = false;
    holding.controller.abort();
    this.notify();
  }

  /**
   * Rule 10: this instance tells a peer that it does not act, and the peer may take over on that word.
   * From now on no proof (or grant) sent before this moment lets it act. False when it acts (nothing is
   * promised: the answer is "acting").
   */
  promiseNotActing(): boolean {
    const now = this.clock.now();
    if (this.mayAct(now)) return false;
    this.promisedAt = now;
    for (const listener of [...this.promiseListeners]) listener(now);
    this.notify();
    return true;
  }

  /** Whether a proof sent at `sentAt` still counts: it was sent after the last not-acting promise. */
  private counts(sentAt: number): boolean {
    return sentAt > this.promisedAt;
  }

  /** Rule 13's extension point: lets the current holding act until `grant.until` (see ActingGrant). */
  grant(grant: ActingGrant | null): void {
    if (!this.holding) return;
    this.holding.grant = grant;
    this.notify();
  }

  /**
   * A leader about to give up the lock on purpose: it stops acting now (new requests are held for the
   * successor) while what its full graph serves finishes. Ends with the holding, or with resume().
   */
  quiesce(): boolean {
    if (!this.holding) return false;
    this.quiescing = true;
    this.notify();
    return true;
  }

  resume(): void {
    if (!this.quiescing) return;
    this.quiescing = false;
    this.notify();
  }

  /** Told whenever the answer of mayAct() may have changed other than by time passing. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Told of every promise (the elector then proves at once, so that acting can resume on a later proof). */
  onPromise(listener: (at: number) => void): () => void {
    this.promiseListeners.add(listener);
    return () => this.promiseListeners.delete(listener);
  }

  private actingUntil(holding: Holding): number {
    const lease = holding.lease;
    const proven = lease && this.counts(lease.provenAt) ? actingUntil(lease, this.timings) : -Infinity;
    const granted = holding.grant && this.counts(holding.grant.sentAt) ? holding.grant.until : -Infinity;
    return Math.max(proven, granted);
  }

  private begin(): Holding {
    this.holding = { controller: new AbortController(), lease: null, serving: false, grant: null };
    return this.holding;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
