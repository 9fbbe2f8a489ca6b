/**
 * The leader's lease (docs/architecture.md, rules 2 and 9) as a plain value: when the lock was last
 * confirmed in each of the two ways that matter, both as the monotonic time the confirming request was
 * SENT (Consul acted on it later, so counting from the send is always on the safe side).
 *
 * - `renewedAt`: the last renew that Consul accepted. Consul never frees the lock less than one TTL after
 *   a renew reached it, so the renew deadline (rule 2) counts from here.
 * - `provenAt`: the last proof that the key is held by our session: a `?consistent` read or a successful
 *   acquire, both of which the Consul leader answers only after checking with a quorum
 *   (docs/consul-behaviour.md facts 21-22). A renew's 200 is NOT a proof: an isolated old server leader
 *   can still give it. The instance acts only within `leaseMs` of this (rule 9).
 */
export interface Lease {
  readonly renewedAt: number;
  readonly provenAt: number;
  /** The lease lapsed and the lapse was reported: acting resumes only with a proof sent after it. */
  readonly lapsed: boolean;
  /**
   * Rule 13: acting extended to here by a failsafe round that every listed member confirmed (the round's
   * send time + lease, capped at provenAt + lease + ha.failsafeMaxInSecond). Absent: no failsafe.
   */
  readonly failsafeUntil?: number;
  /** Send time of the latest round that every listed member confirmed. */
  readonly failsafeSentAt?: number;
}

export interface LeaseTimings {
  /** ha.leaderLeaseInSecond: how long a proof lets the leader act. */
  leaseMs: number;
  /** How long a renew keeps the lock ours as far as we may assume (< session TTL). */
  renewDeadlineMs: number;
}

export function freshLease(renewedAt: number, provenAt: number): Lease {
  return { renewedAt, provenAt, lapsed: false };
}

/**
 * Rule 9: until when (monotonic) the proof part of this lease lets its holder act; -Infinity once a lapse
 * was reported. A failsafe extension (rule 13) comes on top: leaseDueAt() for decide(), a grant for the term.
 */
export function actingUntil(lease: Lease, t: Pick<LeaseTimings, 'leaseMs'>): number {
  return lease.lapsed ? -Infinity : lease.provenAt + t.leaseMs;
}

/** Rule 9: proven within the lease, on the monotonic clock (or, rule 13, within a failsafe extension). */
export function leaseValid(lease: Lease, now: number, t: LeaseTimings): boolean {
  return !lease.lapsed && now < leaseDueAt(lease, t);
}

/** When the lease lapses unless proven again (or extended again by a failsafe round). */
export function leaseDueAt(lease: Lease, t: LeaseTimings): number {
  return Math.max(lease.provenAt + t.leaseMs, lease.failsafeUntil ?? -Infinity);
}

/** Acting rests on a failsafe round now: the proof part of the lease is over, the extension is not. */
export function onFailsafe(lease: Lease, now: number, t: LeaseTimings): boolean {
  return !lease.lapsed && now >= lease.provenAt + t.leaseMs && now < (lease.failsafeUntil ?? -Infinity);
}

/**
 * Rule 2: past this, the lock may already be someone else's as far as Consul's TTL goes. Rule 13: a
 * leader acting on a failsafe round is not demoted before the extension ends (the members' promises,
 * not the TTL, keep a successor from acting meanwhile).
 */
export function renewDeadlineAt(lease: Lease, t: LeaseTimings): number {
  const deadline = lease.renewedAt + t.renewDeadlineMs;
  return lease.lapsed ? deadline : Math.max(deadline, lease.failsafeUntil ?? -Infinity);
}

/** Later confirmations win; a late answer to an earlier request never moves a time backwards. */
export function withRenewal(lease: Lease, sentAt: number): Lease {
  return { ...lease, renewedAt: Math.max(lease.renewedAt, sentAt) };
}

/** A real proof ends any failsafe: the next run of rounds starts from this proof. */
export function withProof(lease: Lease, sentAt: number): Lease {
  if (sentAt <= lease.provenAt) return lease;
  return { renewedAt: lease.renewedAt, provenAt: sentAt, lapsed: false };
}

/**
 * Rule 13: a round sent at `sentAt` that every listed member confirmed lets the leader act until
 * sentAt + lease, never past provenAt + lease + failsafeMaxMs (at most that long in a row without a proof).
 */
export function withFailsafeRound(lease: Lease, sentAt: number, t: { leaseMs: number; failsafeMaxMs: number }): Lease {
  const until = Math.min(sentAt + t.leaseMs, lease.provenAt + t.leaseMs + t.failsafeMaxMs);
  return { ...lease, failsafeUntil: Math.max(lease.failsafeUntil ?? -Infinity, until), failsafeSentAt: Math.max(lease.failsafeSentAt ?? -Infinity, sentAt) };
}
