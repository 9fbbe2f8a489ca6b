// Node reads of the catalog (the servers' view), as independent health checkers use them:
// `GET /v1/catalog/nodes` (every registered node) and `GET /v1/health/node/<node>` (that node's checks,
// serfHealth first). Forwarded and blocking like every server read; the index is the last catalog
// write. A node that left is absent from both (an unknown node's checks are `[]`, never 404).
import { HttpError } from '../http-error.js';
import type { NodeState } from '../state/consul-state.js';
import { type ApiContext, blockingRead, pathSuffix } from './api-context.js';
import { nodeJson } from './catalog-json.js';
import { sendJson } from './respond.js';
import type { Route } from './router.js';

const registered = (ctx: ApiContext): NodeState[] =>
  [...ctx.state.nodes.values()].filter((n) => n.registry.nodeExists(n.node)).sort((a, b) => (a.node < b.node ? -1 : 1));

async function catalogNodes(ctx: ApiContext): Promise<void> {
  const result = await blockingRead(ctx, () => {
    const all = registered(ctx);
    const visible = all.filter((n) => ctx.acl.allows(ctx.identity, 'node:read', n.node));
    return { index: ctx.state.catalogIndex, value: visible.map(nodeJson), filtered: visible.length < all.length };
  });
  sendJson(ctx.res, 200, result.value, ctx.pretty);
}

async function healthNode(ctx: ApiContext): Promise<void> {
  const name = pathSuffix(ctx, '/v1/health/node/');
  if (name === '') throw new HttpError(400, 'Missing node name');
  const result = await blockingRead(ctx, () => {
    const checks = ctx.state.nodes.get(name)?.registry.catalogChecks() ?? [];
    const visible = checks.filter((c) => ctx.acl.allows(ctx.identity, 'node:read', c.Node) && (c.ServiceName === '' || ctx.acl.allows(ctx.identity, 'service:read', c.ServiceName)));
    return { index: ctx.state.catalogIndex, value: visible, filtered: visible.length < checks.length };
  });
  sendJson(ctx.res, 200, result.value, ctx.pretty);
}

export const nodeRoutes: Route[] = [
  { path: '/v1/catalog/nodes', prefix: false, methods: ['GET'], leader: true, handle: catalogNodes },
  { path: '/v1/health/node/', prefix: true, methods: ['GET'], leader: true, handle: healthNode },
];
