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

/** Rule 9: until when (monotonic) this lease lets its holder act; -Infinity once a lapse was reported. */
export function actingUntil(lease: Lease, t: Pick<LeaseTimings, 'leaseMs'>): number {
  return lease.lapsed ? -Infinity : lease.provenAt + t.leaseMs;
}

/** Rule 9: proven within the lease, on the monotonic clock. */
export function leaseValid(lease: Lease, now: number, t: LeaseTimings): boolean {
  return now < actingUntil(lease, t);
}

/** When the lease lapses unless proven again. */
export function leaseDueAt(lease: Lease, t: LeaseTimings): number {
  return lease.provenAt + t.leaseMs;
}

/** Rule 2: past this, the lock may already be someone else's as far as Consul's TTL goes. */
export function renewDeadlineAt(lease: Lease, t: LeaseTimings): number {
  return lease.renewedAt + t.renewDeadlineMs;
}

/** Later confirmations win; a late answer to an earlier request never moves a time backwards. */
export function withRenewal(lease: Lease, sentAt: number): Lease {
  return { ...lease, renewedAt: Math.max(lease.renewedAt, sentAt) };
}

export function withProof(lease: Lease, sentAt: number): Lease {
  return { ...lease, provenAt: Math.max(lease.provenAt, sentAt), lapsed: false };
}
