/**
 * The JSON value stored in the leader key (docs/architecture.md §2): who leads, where, since when, which
 * term. On a clean release (rule 4) the same value is written back with `released: true` (and, for a
 * hand-over to a chosen instance, `candidate`), so that the next holder knows nobody is acting (rule 10).
 */
export interface LeaderValue {
  id: string;
  address: string;
  url: string;
  since: string;
  term: number;
  released?: boolean;
  /** Instance id the releasing leader handed over to: the others stand back for a moment. */
  candidate?: string;
  /**
   * Rule 10 carried over (docs/architecture.md): present while this holder has not yet proven that the
   * holder before it stopped acting, and says why. Its own "not acting" or `released` then proves nothing
   * about that earlier holder, so the next holder waits out the lease.
   */
  takeoverPending?: string;

  /**
   * The instances whose service check passed when the leader last looked (itself included), rewritten
   * under its session when that set changes: the ones it asks to confirm a failsafe, and the only ones
   * that race freely for a key freed without release (docs/architecture.md, rule 13). Absent until the
   * leader has written it (and from leaders of older versions).
   */
  members?: Member[];
}

/** One instance of the cluster as the leader key's `members` lists it. */
export interface Member {
  id: string;
  url: string;
}

export function parseLeaderValue(raw: string | null | undefined): LeaderValue | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<LeaderValue>;
    return typeof value.id === 'string' && typeof value.url === 'string' ? (value as LeaderValue) : null;
  } catch {
    return null; // another tool wrote the key: not ours to interpret
  }
}
