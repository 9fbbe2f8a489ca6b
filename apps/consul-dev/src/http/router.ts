// Route table and method dispatch with Consul's answers for the edges (§1.1): 405 with an Allow
// header (OPTIONS first), OPTIONS answered with Allow and no body, and 404 for unknown /v1 paths.
import { HttpError } from '../http-error.js';
import type { ApiContext } from './api-context.js';

export interface Route {
  path: string;
  /** Prefix routes take the rest of the path as a parameter (`/v1/kv/` + key). */
  prefix: boolean;
  methods: string[];
  /** Served by the Raft leader: subject to the no-leader and quorum-loss faults (agent-local routes are not). */
  leader: boolean;
  /** Forwarded by the agent to a server (§12 P4): fails while the agent is cut off. Defaults to `leader`. */
  forwarded?: boolean;
  handle(ctx: ApiContext): Promise<void>;
}

export const NOT_FOUND = 'Invalid URL path: not a recognized HTTP API endpoint';

export function findRoute(routes: readonly Route[], path: string): Route | undefined {
  const exact = routes.find((r) => !r.prefix && r.path === path);
  if (exact) return exact;
  return routes.filter((r) => r.prefix && path.startsWith(r.path)).sort((a, b) => b.path.length - a.path.length)[0];
}

/** Returns the route to run, or throws the 404/405 answer; OPTIONS resolves to undefined (answered). */
export function selectRoute(routes: readonly Route[], ctx: ApiContext): Route | undefined {
  const route = findRoute(routes, ctx.path);
  if (route === undefined) throw new HttpError(404, NOT_FOUND);
  const allow = ['OPTIONS', ...route.methods].join(',');
  if (ctx.method === 'OPTIONS') {
    ctx.res.setHeader('Allow', allow);
    ctx.res.statusCode = 200;
    ctx.res.end();
    return undefined;
  }
  if (!route.methods.includes(ctx.method)) throw new HttpError(405, `method ${ctx.method} not allowed`, { Allow: allow });
  return route;
}
