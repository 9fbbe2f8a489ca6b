import type { FailsafeRequest, FailsafeVerdict } from './failsafe-request.js';

/** A reading of the leader key by this instance: which session held it (null: free or absent), at which lock index. */
export interface KeySighting {
  session: string | null;
  lockIndex: number;
}

/** What a member knows of itself when a leader asks it to confirm a failsafe round. */
export interface MemberView {
  /** ha.failsafe on this instance. */
  enabled: boolean;
  selfId: string;
  /** Holds the lock, or is releasing it: activating, leader, deactivating. */
  holdsLock: boolean;
  acting: boolean;
  /** The bounded `?consistent` read: whether it reached Consul (a leader-confirmed answer) or failed. */
  consul: { reached: true; holder: string | null } | { reached: false; detail: string };
  /** The key as this instance has seen it (recent readings). */
  sightings: readonly KeySighting[];
}

/**
 * Rule 13's confirmation (docs/architecture.md): a member confirms only when it holds no lock, does not
 * act, cannot reach Consul itself, and has not seen the key held by another session (or free) since the
 * leader's term began. Pure, so each refusal is a table row; the reason is the 409's and the log's.
 */
export function judgeFailsafe(request: FailsafeRequest, view: MemberView): FailsafeVerdict {
  const refuse = (reason: string): FailsafeVerdict => ({ confirmed: false, reason });
  if (!view.enabled) return refuse('failsafe is off on this instance (ha.failsafe: false)');
  if (request.leaderId === view.selfId) return refuse('a leader does not confirm its own failsafe');
  if (view.holdsLock) return refuse('this instance holds the lock');
  if (view.acting) return refuse('this instance acts as leader');
  const other = view.sightings.find((s) => s.lockIndex >= request.term && s.session !== request.sessionId);
  if (other) {
    return refuse(other.session ? `the key was seen held by session ${other.session} (lock index ${other.lockIndex}) since term ${request.term} began` : `the key was seen free since term ${request.term} began`);
  }
  if (view.consul.reached) {
    return refuse(`this instance reaches consul (the key is ${view.consul.holder ? `held by session ${view.consul.holder}` : 'free'}): the leader should too`);
  }
  return { confirmed: true };
}
