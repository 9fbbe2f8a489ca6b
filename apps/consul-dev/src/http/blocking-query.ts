// Blocking queries (§5.1): `?index` / `?wait` parsing, the default 5 min and 10 min cap, jitter of up
// to wait/16, same-index return on timeout, the "missing stays missing" rule, restore wake-ups, and
// release of the waiter when the client goes away.
import type { Clock } from '../clock.js';
import { GoDurationError, nsToMs, parseGoDuration } from '../go-duration.js';
import { badRequest } from '../http-error.js';
import type { RaftIndex } from '../state/raft-index.js';
import type { Consistency } from './respond.js';

export const DEFAULT_QUERY_TIME_MS = 5 * 60_000;
export const MAX_QUERY_TIME_MS = 10 * 60_000;
/** jitterFraction: the server adds a random extra of up to wait/16. */
const JITTER_FRACTION = 16;

export interface QueryOptions {
  minIndex: number;
  waitMs: number;
  consistency: Consistency;
}

/** parseWait + parseConsistency, with Consul's 400 texts. */
export function parseQueryOptions(query: URLSearchParams): QueryOptions {
  let waitMs = 0;
  const wait = query.get('wait') ?? '';
  if (wait !== '') {
    try {
      waitMs = nsToMs(parseGoDuration(wait));
    } catch (error) {
      if (error instanceof GoDurationError) throw badRequest('Invalid wait time');
      throw error;
    }
  }
  let minIndex = 0;
  const index = query.get('index') ?? '';
  if (index !== '') {
    if (!/^\d+$/.test(index) || BigInt(index) > 0xffff_ffff_ffff_ffffn) throw badRequest('Invalid index');
    minIndex = Number(index);
  }
  const stale = query.has('stale');
  const consistent = query.has('consistent');
  if (stale && consistent) throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.');
  return { minIndex, waitMs, consistency: stale ? 'stale' : consistent ? 'consistent' : 'leader' };
}

export interface QueryResult<T> {
  index: number;
  value: T;
  /** The result is "not found" (missing key / session): a later pass that is still missing keeps waiting. */
  notFound?: boolean;
  /** ACLs removed part of the result: `X-Consul-Results-Filtered-By-ACLs: true` (for a caller with a token). */
  filtered?: boolean;
}

export interface BlockingDeps {
  raft: RaftIndex;
  clock: Clock;
  random?: () => number;
}

/** The effective timeout: default when wait <= 0, capped, plus jitter in [0, timeout/16). */
export function effectiveTimeoutMs(waitMs: number, random: () => number = Math.random): number {
  const base = waitMs <= 0 ? DEFAULT_QUERY_TIME_MS : Math.min(waitMs, MAX_QUERY_TIME_MS);
  return base + random() * (base / JITTER_FRACTION);
}

/**
 * Runs `run` once (index 0) or until its index exceeds `minIndex`, the timeout fires, a restore
 * happens, or `signal` aborts (client gone). The result is always the latest run.
 */
export function blockingQuery<T>(deps: BlockingDeps, options: QueryOptions, signal: AbortSignal, run: () => QueryResult<T>): Promise<QueryResult<T>> {
  const first = run();
  if (options.minIndex === 0 || (Math.max(1, first.index) > options.minIndex)) return Promise.resolve(first);
  return new Promise((resolve) => {
    let previousNotFound = first.notFound === true;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      timer.cancel();
      unsubscribe();
      signal.removeEventListener('abort', finish);
      resolve(run());
    };
    const timer = deps.clock.setTimer(finish, effectiveTimeoutMs(options.waitMs, deps.random));
    const unsubscribe = deps.raft.subscribe((event) => {
      if (event === 'restore') return finish();
      const result = run();
      const stillMissing = result.notFound === true && previousNotFound;
      previousNotFound = result.notFound === true;
      if (Math.max(1, result.index) > options.minIndex && !stillMissing) finish();
    });
    signal.addEventListener('abort', finish, { once: true });
    if (signal.aborted) finish();
  });
}
