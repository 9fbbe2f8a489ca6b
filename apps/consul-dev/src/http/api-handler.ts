// The Consul API request pipeline of one agent: routing (404/405) → injected faults (latency, hang, no
// leader) → the agent's link (cut off: §12 P4) → quorum (§12 P22) → ACL identification → handler;
// errors become plain-text bodies with their status (§1.3).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Agent, NO_KNOWN_SERVERS } from '../cluster/agent.js';
import type { Cluster } from '../cluster/cluster.js';
import type { FaultState } from '../control/fault-state.js';
import { HttpError } from '../http-error.js';
import type { ConsulState } from '../state/consul-state.js';
import { type Acl, requestToken } from './acl.js';
import type { ApiContext } from './api-context.js';
import { agentRoutes } from './agent-routes.js';
import { kvRoutes } from './kv-routes.js';
import { sendText } from './respond.js';
import { parseQueryOptions } from './blocking-query.js';
import { catalogRoutes } from './catalog-routes.js';
import { nodeRoutes } from './node-routes.js';
import { type Route, selectRoute } from './router.js';
import { sessionRoutes } from './session-routes.js';
import { linkHold, quorumHold } from './forward-hold.js';

export const API_ROUTES: readonly Route[] = [...sessionRoutes, ...kvRoutes, ...agentRoutes, ...catalogRoutes, ...nodeRoutes];

/** Server-side errors reach the caller with this prefix when a client agent forwarded the call (fact 13). */
const FORWARD_PREFIX = 'rpc error making call: ';

export interface ApiDeps {
  state: ConsulState;
  acl: Acl;
  faults: FaultState;
  agent: Agent;
  cluster: Cluster;
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `invalid URL escape in path ${JSON.stringify(raw)}`);
  }
}

/** Latency and hang apply to every request; the no-leader fault only to routes the leader serves. */
async function applyFaults(ctx: ApiContext, route: Route): Promise<void> {
  const { faults } = ctx;
  if (faults.latencyMs > 0) await faults.waitFor(() => false, ctx.signal, faults.latencyMs);
  await faults.waitFor(() => !faults.hung, ctx.signal);
  const staleRead = ctx.method === 'GET' && ctx.query.has('stale');
  if (!route.leader || staleRead || faults.noLeader === null) return;
  // rpc_hold_timeout: the request waits for a leader, and fails only if none came back in time.
  await faults.waitFor(() => faults.noLeader === null, ctx.signal, faults.noLeader.holdMs);
  if (faults.noLeader !== null) throw new HttpError(500, 'No cluster leader');
}

/** §12 P4/P7: a forwarded call from a cut-off agent fails after its phase's hold, unless the link comes back first (P18). */
async function applyLink(ctx: ApiContext, route: Route): Promise<void> {
  if (!(route.forwarded ?? route.leader)) return;
  const failure = await linkHold(ctx);
  if (failure !== null) throw new HttpError(500, failure);
}

/** §12 P22/P23: without a leader, writes and default or consistent reads are held, then refused; stale reads answer. */
async function applyQuorum(ctx: ApiContext, route: Route): Promise<void> {
  if (!route.leader || (ctx.method === 'GET' && ctx.query.has('stale'))) return;
  const failure = await quorumHold(ctx);
  if (failure !== null) throw new HttpError(500, failure);
}

function forwardedError(error: unknown): unknown {
  if (!(error instanceof HttpError) || error.status !== 500) return error;
  if (error.message.startsWith('rpc error') || error.message === NO_KNOWN_SERVERS) return error;
  return new HttpError(500, `${FORWARD_PREFIX}${error.message}`, error.headers);
}

async function handle(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://consul-dev');
  const ctx: ApiContext = {
    ...deps,
    req,
    res,
    method: req.method ?? 'GET',
    path: decodePath(url.pathname),
    query: url.searchParams,
    signal,
    identity: { kind: 'disabled' },
    pretty: url.searchParams.has('pretty'),
  };
  const route = selectRoute(API_ROUTES, ctx);
  if (route === undefined) return;
  // The HTTP layer rejects bad ?index/?wait and ?stale with ?consistent (400) before any RPC.
  if (ctx.method === 'GET' && (route.forwarded ?? route.leader)) parseQueryOptions(ctx.query);
  await applyFaults(ctx, route);
  await applyLink(ctx, route);
  await applyQuorum(ctx, route);
  if (signal.aborted) return;
  ctx.identity = deps.acl.identify(requestToken(req, ctx.query));
  try {
    await route.handle(ctx);
  } catch (error) {
    throw deps.cluster.clientMode && (route.forwarded ?? route.leader) ? forwardedError(error) : error;
  }
}

export function createApiHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    handle(deps, req, res, controller.signal).catch((error: unknown) => {
      if (error instanceof HttpError) {
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        return sendText(res, error.status, error.message);
      }
      sendText(res, 500, error instanceof Error ? error.message : String(error));
    });
  };
}
