import type { ForwardTarget } from './forward-attempt.js';

/** What hold-and-forward needs to know about the election (HaLeaderView adapts the acting term to it). */
export interface LeaderView {
  readonly instanceId: string;
  /** This instance's own advertised URL (a request partly sent elsewhere is replayed to it over HTTP). */
  readonly url: string;
  /** This instance serves through its full graph now: the acting term's answer (term/acting-term.ts). */
  mayAct(): boolean;
  /** This instance holds the lock and may come to act soon (activating, or its lease is being re-proven). */
  mayActSoon(): boolean;
  /** The lock holder as last seen (possibly this instance), or null. */
  holder(): ForwardTarget | null;
  /** Called after every transition and change of known leader; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Told whenever a request starts being held here (the view may then look up the leader itself). */
  requestHeld?(): void;
  /** True while this instance hands over at shutdown: answers close their connections. */
  isStopping?(): boolean;
}
