/** The internal route a lock holder keeps open for its watchers (docs/architecture.md §3, internal routes). */
export const LEADER_WATCH_PATH = '/rest/admin/ha/watch';

/**
 * Longest a lock holder keeps one watch open before answering "still holding": well under the idle
 * timeouts of anything in between, and the watcher simply asks again (one request per watcher per hold).
 */
export const LEADER_WATCH_HOLD_MS = 25_000;
/**
 * Watches held at once, at most: one per other instance is the need; beyond this a caller gets 429 at
 * once, so nobody can pile up held sockets on the leader through this route.
 */
export const LEADER_WATCH_MAX_HELD = 64;

/**
 * One held connection from a non-leader to the lock holder (docs/architecture.md rule 14). `ended`: the
 * holder answered (it stopped holding the lock, or the hold ran out), so the connection told nothing
 * about a crash; `broken`: the connection could not be made or broke before the answer, which is what a
 * crash looks like (and also a network fault: proof comes separately); `rejected`: the holder answered
 * the watch with an error status (an older version without the route, a wrong admin token).
 */
export type WatchOutcome = 'ended' | 'broken' | 'rejected';

export interface LeaderWatchPort {
  watch(holder: { id: string; url: string }, signal: AbortSignal): Promise<WatchOutcome>;
}
