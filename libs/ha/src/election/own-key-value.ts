import type { Clock } from '../clock/clock.port.js';
import type { ConsulPort } from '../consul/consul.port.js';
import type { ActingTerm } from '../term/acting-term.js';
import { termOf, type ElectionState } from './election-state.js';
import type { LeaderValue } from './leader-value.js';
import type { ElectorIdentity } from './ports.js';

/**
 * What this instance writes into the leader key (docs/architecture.md §5, "The leader key's value"), and
 * what it must remember between steps to write it right: a takeover that is not safe yet (rule 10 carried
 * over) and the failsafe extension last handed to the term (rule 13). The elector calls `follow` on every
 * transition, right after the term followed the new state.
 */
export class OwnKeyValue {
  /**
   * Rule 10 carried over: why this holder's takeover is not safe yet (what its value says), from the
   * acquire until it is; kept into the release so that the next holder waits out the lease.
   */
  private takeoverPending: string | null = null;
  /** The failsafe extension last handed to the term as a grant. */
  private grantedUntil: number | undefined;

  constructor(
    private readonly deps: {
      identity: ElectorIdentity;
      consul: ConsulPort;
      clock: Clock;
      term: ActingTerm;
      /**
       * Rule 13 on: the members keeper writes the value once this instance leads, and its value carries
       * no `takeoverPending`. It is then the holder's one writer: a second write racing it could land last
       * and drop the `members` that failsafe rounds rely on.
       */
      failsafe?: unknown;
    },
  ) {}

  /** The value of a holding of term `term` since `since` (wall-clock ms). */
  of(term: number, since: number, takeoverPending?: string): LeaderValue {
    const { identity } = this.deps;
    const value: LeaderValue = { id: identity.instanceId, address: `${identity.address}:${identity.port}`, url: identity.url, since: new Date(since).toISOString(), term };
    return takeoverPending ? { ...value, takeoverPending } : value;
  }

  /**
   * Rule 4 + rule 10: the released value says the holder stopped cleanly (naming a chosen successor), so
   * the next one acts at once; unless this holder's own takeover never became safe (it cannot vouch for
   * the holder before it).
   */
  released(from: ElectionState): string {
    const candidate = from.kind === 'deactivating' ? from.candidate : undefined;
    const pending = this.takeoverPending ?? undefined;
    return JSON.stringify({ ...this.of(termOf(from), this.deps.clock.wallNow(), pending), released: true, ...(candidate ? { candidate } : {}) });
  }

  follow(from: ElectionState, next: ElectionState): void {
    this.grantFailsafe(next);
    this.followTakeover(from, next);
  }

  /** Rule 13: a failsafe extension in the lease is the term's grant (the round's send time counts like a proof's). */
  private grantFailsafe(next: ElectionState): void {
    const until = next.kind === 'leader' ? next.lease.failsafeUntil : undefined;
    if (until === this.grantedUntil) return;
    this.grantedUntil = until;
    if (next.kind === 'leader' && until !== undefined) this.deps.term.grant({ until, sentAt: next.lease.failsafeSentAt ?? next.lease.provenAt });
    else this.deps.term.grant(null);
  }

  /**
   * Keeps `takeoverPending` as the key's value has it: set by the acquire of a takeover that is not safe
   * yet; once it is, the value is written again without it (in the background: if that write is lost, the
   * next holder only waits out the lease), so that our own release or "not acting" vouches again for the
   * holders before us.
   */
  private followTakeover(from: ElectionState, next: ElectionState): void {
    if (from.kind === 'acquiring' && next.kind === 'activating') this.takeoverPending = next.takeover.safe ? null : next.takeover.reason;
    if (next.kind === 'backup' || next.kind === 'stopped') this.takeoverPending = null;
    const safe = next.kind === 'leader' || (next.kind === 'activating' && next.takeover.safe);
    if (!safe || this.takeoverPending === null) return;
    this.takeoverPending = null;
    // failsafe on: the members keeper writes the value (members, no takeoverPending) as soon as we lead
    if (this.deps.failsafe) return;
    const value = JSON.stringify(this.of(next.term, next.since));
    this.deps.consul.acquire(this.deps.identity.leaderKey, next.sessionId, value).catch(() => undefined);
  }
}
