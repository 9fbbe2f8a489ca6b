/** The JSON value stored in the leader key (DESIGN.md §2): who leads, where, since when, which term. */
export interface LeaderValue {
  id: string;
  address: string;
  url: string;
  since: string;
  term: number;
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
