import type { Predecessor } from './predecessor.js';

/** What one step of the election loop saw; the pure decide() turns it into the next state. */
export type Observation =
  | { type: 'shutdown' }
  | { type: 'step-down'; candidate?: string }
  | { type: 'consul-unavailable'; detail: string }
  | { type: 'unhealthy'; detail: string }
  | { type: 'check-not-passing'; detail: string }
  /** `sentAt`: send time of the create; the session's TTL runs from after it, like from a renew. */
  | { type: 'session-created'; sessionId: string; sentAt: number }
  /** The agent does not know our check any more (agent restart, state reset): register again. */
  | { type: 'check-missing'; checkId: string }
  | { type: 'session-gone' }
  /**
   * The acquire succeeded, sent at `sentAt` (a Raft write: it proves the key was ours then). `freeSeenAt`:
   * when the read that showed the key free came back; the predecessor's lease is over lease + margin later.
   */
  | { type: 'acquired'; term: number; since: number; sentAt: number; freeSeenAt: number; predecessor: Predecessor }
  /** Acquire answered false: `holder` null means the key is free, so lock-delay refused us. */
  | { type: 'refused'; holder: string | null }
  /** The key is free but was released (at ModifyIndex `modifyIndex`) for a hand-over to another instance. */
  | { type: 'released-for-candidate'; candidate: string; modifyIndex: number }
  /**
   * The key is held by `holder`, a session that is not ours, while its value names this instance: an
   * earlier session of ours (a killed previous process, or a term whose release never reached Consul).
   */
  | { type: 'stale-own-session'; holder: string }
  /** This instance proved the holder's crash and freed the lock (rule 14); `detail` says who proved what. */
  | { type: 'freed-by-peer'; detail: string }
  /** Rule 13: the free key's `members` do not list us; we stay out of the race, looking again in `waitMs`. */
  | { type: 'not-listed'; leaderId: string; waitMs: number }
  /** A read of the leader key: who holds it now (null: nobody). */
  | { type: 'key'; holder: string | null }
  /** A renew Consul accepted (sent at `sentAt`): the session lives, the renew deadline moves. */
  | { type: 'renewed'; sentAt: number }
  /** A `?consistent` read sent at `sentAt` showed the key held by our session: the lease moves. */
  | { type: 'proven'; sentAt: number }
  /** This instance told a peer at `at` that it does not act (rule 10): proofs sent before no longer count. */
  | { type: 'promised-not-acting'; at: number }
  /** Rule 13: every member listed in the key confirmed a failsafe round sent at `sentAt`. */
  | { type: 'failsafe-confirmed'; sentAt: number; members: number }
  /** Rule 13: a member refused, failed or stayed silent: no more extension until a real proof. */
  | { type: 'failsafe-refused'; detail: string }
  /** The predecessor provably stopped acting (connection refused, or its probe says not acting). */
  | { type: 'predecessor-stopped'; detail: string }
  /** Time passed: deadlines are judged against `now` (rules 2, 3, 9, 10). */
  | { type: 'tick' }
  | { type: 'activated' }
  | { type: 'activation-failed'; detail: string }
  | { type: 'deactivated' };
