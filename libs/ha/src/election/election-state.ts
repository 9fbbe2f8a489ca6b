/**
 * The election state (STYLE.md rule 2): one discriminated union, changed only by Elector.transition().
 */
export type ElectionState =
  | { kind: 'backup' }
  | { kind: 'acquiring'; sessionId: string }
  | { kind: 'activating'; sessionId: string; term: number; since: number }
  | { kind: 'leader'; sessionId: string; term: number; since: number }
  | {
      kind: 'deactivating';
      sessionId: string | null;
      term: number;
      /** Where to go once the full graph is closed, and how long to stay out of the race then. */
      then: 'backup' | 'stopped';
      holdOffMs: number;
    }
  | { kind: 'stopped' };

export type StateKind = ElectionState['kind'];

/** The role of DESIGN.md §3's status route: acquiring is still a backup from the outside. */
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

export function sessionOf(state: ElectionState): string | null {
  return 'sessionId' in state ? state.sessionId : null;
}

export function termOf(state: ElectionState): number {
  return 'term' in state ? state.term : 0;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
