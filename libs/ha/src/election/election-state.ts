import type { Lease } from './lease.js';

/**
 * Whether the instance that held the lock before us has provably stopped acting (docs/architecture.md,
 * rule 10). Until it has, we hold the lock but do not act.
 */
export interface Takeover {
  readonly safe: boolean;
  /** Why it is safe, or what we are waiting for: part of the log line. */
  readonly reason: string;
  /** Monotonic time at which the predecessor's lease has lapsed whatever it does (lease + margin). */
  readonly safeAt: number;
  /** The peer to ask whether it still acts, when there is one. */
  readonly peer: { id: string; url: string } | null;
}

/**
 * The election state (docs/architecture.md §7, convention 2): one discriminated union, changed only by Elector.transition().
 * Times named `...At` are monotonic; `since` is wall-clock milliseconds, for people only.
 */
export type ElectionState =
  | { kind: 'backup' }
  | {
      kind: 'acquiring';
      sessionId: string;
      /** Monotonic send time of the session's create or last accepted renew: the next renew counts from it. */
      renewedAt: number;
      /** A hand-over to another instance we give the first try: until when (monotonic), and whether that passed. */
      standBack?: { candidate: string; modifyIndex: number; until: number; over: boolean };
    }
  | {
      kind: 'activating';
      sessionId: string;
      term: number;
      since: number;
      /** Monotonic start of the activation: its timeout counts from here. */
      startedAt: number;
      lease: Lease;
      graphUp: boolean;
      takeover: Takeover;
    }
  | { kind: 'leader'; sessionId: string; term: number; since: number; lease: Lease }
  | {
      kind: 'deactivating';
      sessionId: string | null;
      term: number;
      /** Where to go once the full graph is closed, and how long to stay out of the race then. */
      then: 'backup' | 'stopped';
      holdOffMs: number;
      /** Written into the key's value on release, so that the instance named takes over next. */
      candidate?: string;
    }
  | { kind: 'stopped' };

/** The role of the status route (docs/architecture.md §3): acquiring is still a backup from the outside. */
export function roleOf(state: ElectionState): 'leader' | 'backup' | 'activating' | 'deactivating' {
  switch (state.kind) {
    case 'backup':
    case 'acquiring':
    case 'stopped':
      return 'backup';
    case 'activating':
    case 'leader':
    case 'deactivating':
      return state.kind;
    default:
      return assertNever(state);
  }
}

/** The lock is ours: activating or leader (what "holds the lock" means everywhere). */
export function holdsLock(state: ElectionState): state is Extract<ElectionState, { kind: 'activating' | 'leader' }> {
  return state.kind === 'activating' || state.kind === 'leader';
}

export function sessionOf(state: ElectionState): string | null {
  return 'sessionId' in state ? state.sessionId : null;
}

export function termOf(state: ElectionState): number {
  return 'term' in state ? state.term : 0;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
