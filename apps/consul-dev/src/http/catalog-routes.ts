// Catalog reads across every node (the servers' view, not any agent's): `GET /v1/health/service/<name>`
// (node, service and the node's checks as the catalog has them; `?passing` keeps entries whose checks
// all pass) and `GET /v1/catalog/service/<name>`. Forwarded and blocking like every server read; the
// index is the last catalog write (coarser than Consul's per-service index: a wake-up may be spurious).
import { HttpError } from '../http-error.js';
import type { AgentCheck, CatalogService } from '../state/check-registry.js';
import type { NodeState } from '../state/consul-state.js';
import { type ApiContext, blockingRead, pathSuffix } from './api-context.js';
import { nodeJson, serviceJson } from './catalog-json.js';
import { sendJson } from './respond.js';
import type { Route } from './router.js';

interface Instance {
  node: NodeState;
  service: CatalogService;
}

function serviceName(ctx: ApiContext, prefix: string): string {
  const name = pathSuffix(ctx, prefix);
  if (name === '') throw new HttpError(400, 'Missing service name');
  return name;
}

/**
 * Every catalog instance of `name`, by node name then service ID, keeping those whose node and service
 * the caller may read (`node:read` and `service:read`, §13); `filtered` says whether ACLs hid any.
 */
function instances(ctx: ApiContext, name: string): { value: Instance[]; filtered: boolean } {
  const wantedTag = ctx.query.get('tag');
  const all: Instance[] = [];
  for (const node of [...ctx.state.nodes.values()].sort((a, b) => (a.node < b.node ? -1 : 1))) {
    for (const service of node.registry.catalogServices().sort((a, b) => (a.ID < b.ID ? -1 : 1))) {
      if (service.Service === name && (wantedTag === null || service.Tags.includes(wantedTag))) all.push({ node, service });
    }
  }
  const value = all.filter((i) => ctx.acl.allows(ctx.identity, 'node:read', i.node.node) && ctx.acl.allows(ctx.identity, 'service:read', name));
  return { value, filtered: value.length < all.length };
}

/** The node-level checks (serfHealth first) and this service's checks. */
function instanceChecks({ node, service }: Instance): AgentCheck[] {
  return node.registry.catalogChecks().filter((c) => c.ServiceID === '' || c.ServiceID === service.ID);
}

async function healthService(ctx: ApiContext): Promise<void> {
  const name = serviceName(ctx, '/v1/health/service/');
  const passing = ctx.query.has('passing') && ctx.query.get('passing') !== 'false';
  const result = await blockingRead(ctx, () => {
    const { value, filtered } = instances(ctx, name);
    const entries = value
      .map((i) => ({ Node: nodeJson(i.node), Service: serviceJson(i.service), Checks: instanceChecks(i) }))
      .filter((e) => !passing || e.Checks.every((c) => c.Status === 'passing'));
    return { index: ctx.state.catalogIndex, value: entries, filtered };
  });
  sendJson(ctx.res, 200, result.value, ctx.pretty);
}

/** One row of `GET /v1/catalog/service/<name>`: the node's fields and the service's, flattened. */
function catalogEntry({ node, service: s }: Instance) {
  const n = nodeJson(node);
  return {
    ID: n.ID,
    Node: n.Node,
    Address: n.Address,
    Datacenter: n.Datacenter,
    TaggedAddresses: n.TaggedAddresses,
    NodeMeta: n.Meta,
    ServiceKind: '',
    ServiceID: s.ID,
    ServiceName: s.Service,
    ServiceTags: s.Tags,
    ServiceAddress: s.Address,
    ServiceMeta: s.Meta,
    ServicePort: s.Port,
    ServiceWeights: s.Weights,
    ServiceEnableTagOverride: s.EnableTagOverride,
    CreateIndex: s.CreateIndex,
    ModifyIndex: s.ModifyIndex,
  };
}

async function catalogService(ctx: ApiContext): Promise<void> {
  const name = serviceName(ctx, '/v1/catalog/service/');
  const result = await blockingRead(ctx, () => {
    const { value, filtered } = instances(ctx, name);
    return { index: ctx.state.catalogIndex, value: value.map(catalogEntry), filtered };
  });
  sendJson(ctx.res, 200, result.value, ctx.pretty);
}

export const catalogRoutes: Route[] = [
  { path: '/v1/health/service/', prefix: true, methods: ['GET'], leader: true, handle: healthService },
  { path: '/v1/catalog/service/', prefix: true, methods: ['GET'], leader: true, handle: catalogService },
];
