import type { Predecessor } from './predecessor.js';

/** What one step of the election loop saw; the pure decide() turns it into the next state. */
export type Observation =
  | { type: 'shutdown' }
  | { type: 'step-down'; candidate?: string }
  | { type: 'consul-unavailable'; detail: string }
  | { type: 'unhealthy'; detail: string }
  | { type: 'check-not-passing'; detail: string }
  | { type: 'session-created'; sessionId: string }
  | { type: 'session-gone' }
  /**
   * The acquire succeeded, sent at `sentAt` (a Raft write: it proves the key was ours then). `freeSeenAt`:
   * when the read that showed the key free came back; the predecessor's lease is over lease + margin later.
   * `renewedAt`: send time of the session's last create or renew (the TTL runs from there, not the acquire).
   */
  | { type: 'acquired'; term: number; since: number; sentAt: number; freeSeenAt: number; predecessor: Predecessor; renewedAt?: number }
  /** Acquire answered false: `holder` null means the key is free, so lock-delay refused us. */
  | { type: 'refused'; holder: string | null }
  /** The key is free but was released for a hand-over to another instance: wait `waitMs` for it. */
  | { type: 'standing-back'; candidate: string; waitMs: number }
  /** Rule 13: the free key's `members` do not list us; we stay out of the race, looking again in `waitMs`. */
  | { type: 'not-listed'; leaderId: string; waitMs: number }
  /** A read of the leader key: who holds it now (null: nobody). */
  | { type: 'key'; holder: string | null }
  /** A renew Consul accepted (sent at `sentAt`): the session lives, the renew deadline moves. */
  | { type: 'renewed'; sentAt: number }
  /** A `?consistent` read sent at `sentAt` showed the key held by our session: the lease moves. */
  | { type: 'proven'; sentAt: number }
  /** Rule 13: every member listed in the key confirmed a failsafe round sent at `sentAt`. */
  | { type: 'failsafe-confirmed'; sentAt: number; members: number }
  /** Rule 13: a member refused, failed or stayed silent: no more extension until a real proof. */
  | { type: 'failsafe-refused'; detail: string }
  /** This instance told a peer at `at` that it does not act (rule 10): proofs sent before no longer count. */
  | { type: 'promised-not-acting'; at: number }
  /** The predecessor provably stopped acting (connection refused, or its probe says not acting). */
  | { type: 'predecessor-stopped'; detail: string }
  /** Time passed: deadlines are judged against `now` (rules 2, 3, 9, 10). */
  | { type: 'tick' }
  | { type: 'activated' }
  | { type: 'activation-failed'; detail: string }
  | { type: 'deactivated' };
