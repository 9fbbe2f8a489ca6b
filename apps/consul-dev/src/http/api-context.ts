// What a route handler gets: the request, the state, the caller's identity, and helpers for reads.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultState } from '../control/fault-state.js';
import type { ConsulState } from '../state/consul-state.js';
import type { Acl, Identity } from './acl.js';
import { type QueryOptions, type QueryResult, blockingQuery, parseQueryOptions } from './blocking-query.js';
import { setQueryMeta } from './respond.js';

export interface ApiContext {
  state: ConsulState;
  acl: Acl;
  faults: FaultState;
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
 * headers (X-Consul-Index never 0, KnownLeader false only with the no-leader fault on a stale read).
 */
export async function blockingRead<T>(ctx: ApiContext, run: () => QueryResult<T>): Promise<QueryResult<T>> {
  const options: QueryOptions = parseQueryOptions(ctx.query);
  const result = await blockingQuery({ raft: ctx.state.raft, clock: ctx.state.clock, random: ctx.state.random }, options, ctx.signal, run);
  const noLeader = ctx.faults.noLeader;
  setQueryMeta(ctx.res, {
    index: result.index,
    knownLeader: noLeader === null,
    lastContactMs: noLeader === null || options.consistency !== 'stale' ? 0 : Date.now() - noLeader.since,
    consistency: options.consistency,
  });
  return result;
}
