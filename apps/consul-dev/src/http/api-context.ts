// What a route handler gets: the request, the state, the caller's identity, and helpers for reads.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Agent, RPC_DIAL_TIMEOUT } from '../cluster/agent.js';
import type { Cluster } from '../cluster/cluster.js';
import type { FaultState } from '../control/fault-state.js';
import { HttpError } from '../http-error.js';
import type { ConsulState } from '../state/consul-state.js';
import { type Acl, type Identity, markFiltered } from './acl.js';
import { type QueryOptions, type QueryResult, blockingQuery, parseQueryOptions } from './blocking-query.js';
import { setQueryMeta } from './respond.js';

export interface ApiContext {
  state: ConsulState;
  acl: Acl;
  faults: FaultState;
  /** The agent this API port belongs to (its node, registrations, link to the servers). */
  agent: Agent;
  cluster: Cluster;
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Decoded path, e.g. `/v1/kv/service/a4c/leader`. */
  path: string;
  query: URLSearchParams;
  /** Aborted when the client disconnects: releases blocked queries and held requests. */
  signal: AbortSignal;
  identity: Identity;
  pretty: boolean;
}

/** The part of the path after a route prefix (`/v1/session/info/<id>` → `<id>`). */
export function pathSuffix(ctx: ApiContext, prefix: string): string {
  return ctx.path.slice(prefix.length);
}

/**
 * A blocking read: parses `?index`/`?wait`/consistency, blocks as Consul does, and sets the read
 * headers (X-Consul-Index never 0, KnownLeader false only without a leader, on a stale read). A read
 * in flight when its agent is cut off fails `inFlightFailMs` after the cut, not at its wait (§12 P6).
 */
export async function blockingRead<T>(ctx: ApiContext, run: () => QueryResult<T>): Promise<QueryResult<T>> {
  const options: QueryOptions = parseQueryOptions(ctx.query);
  const inner = new AbortController();
  const abort = () => inner.abort();
  ctx.signal.addEventListener('abort', abort, { once: true });
  let failure: HttpError | undefined;
  let timer: NodeJS.Timeout | undefined;
  const onLink = () => {
    const cut = ctx.agent.partition;
    if (cut !== null && timer === undefined) {
      timer = setTimeout(() => {
        if (ctx.agent.partition === null) return;
        failure = new HttpError(500, RPC_DIAL_TIMEOUT);
        inner.abort();
      }, Math.max(0, cut.since + cut.timings.inFlightFailMs - Date.now()));
    } else if (cut === null && timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
  };
  const unwatch = ctx.agent.watch(onLink);
  let result: QueryResult<T>;
  try {
    result = await blockingQuery({ raft: ctx.state.raft, clock: ctx.state.clock, random: ctx.state.random }, options, inner.signal, run);
  } finally {
    unwatch();
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', abort);
  }
  if (failure !== undefined) throw failure;
  markFiltered(ctx.res, ctx.identity, result.filtered === true);
  const since = ctx.faults.noLeader?.since ?? ctx.cluster.quorumLoss?.since;
  setQueryMeta(ctx.res, {
    index: result.index,
    knownLeader: since === undefined,
    lastContactMs: since === undefined || options.consistency !== 'stale' ? 0 : Date.now() - since,
    consistency: options.consistency,
  });
  return result;
}
