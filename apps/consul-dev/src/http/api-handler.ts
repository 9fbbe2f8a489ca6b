// The Consul API request pipeline: injected faults (latency, hang, no leader) → routing (404/405) →
// ACL identification → handler; errors become plain-text bodies with their status (§1.3).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultState } from '../control/fault-state.js';
import { HttpError } from '../http-error.js';
import type { ConsulState } from '../state/consul-state.js';
import { type Acl, requestToken } from './acl.js';
import type { ApiContext } from './api-context.js';
import { agentRoutes } from './agent-routes.js';
import { kvRoutes } from './kv-routes.js';
import { sendText } from './respond.js';
import { type Route, selectRoute } from './router.js';
import { sessionRoutes } from './session-routes.js';

export const API_ROUTES: readonly Route[] = [...sessionRoutes, ...kvRoutes, ...agentRoutes];

export interface ApiDeps {
  state: ConsulState;
  acl: Acl;
  faults: FaultState;
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
  await applyFaults(ctx, route);
  if (signal.aborted) return;
  ctx.identity = deps.acl.identify(requestToken(req, ctx.query));
  await route.handle(ctx);
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
