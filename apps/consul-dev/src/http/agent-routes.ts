// Agent-local endpoints (§6): services, checks, TTL updates, health, self; and /v1/status/leader.
import { CHECK_STATUSES, decodeCheck, validateCheck } from '../checks/check-definition.js';
import { decodeServiceRegistration } from '../checks/service-definition.js';
import { SERVER_ADDRESS } from '../cluster/agent.js';
import { HttpError, badRequest, serverError } from '../http-error.js';
import type { AgentCheck } from '../state/check-registry.js';
import { type ApiContext, pathSuffix } from './api-context.js';
import { markFiltered } from './acl.js';
import { linkHold, quorumHold } from './forward-hold.js';
import { asString, parseJsonObject, pickFields, readBody } from './request-body.js';
import { sendJson, sendRaw, sendText } from './respond.js';
import type { Route } from './router.js';

export const DATACENTER = 'dc1';
/** What /v1/status/leader reports: this single server's Raft address. */
export const LEADER_ADDRESS = '127.0.0.1:8300';

/**
 * §12 P3: after a local registration change the agent pushes it to the catalog synchronously before
 * answering; a failed push is only logged, so the answer is 200 either way, but only once the push
 * has failed (held as a forwarded call: P4's phases, or the leader wait of P22). Anti-entropy retries later (P9).
 */
async function syncAttempt(ctx: ApiContext): Promise<void> {
  if ((await linkHold(ctx)) === null) await quorumHold(ctx);
}

const unknownCheck = (id: string) => new HttpError(404, `Unknown check ID ${JSON.stringify(id)}. Ensure that the check ID is passed, not the check name.`);

async function registerService(ctx: ApiContext): Promise<void> {
  const { service, checks } = decodeServiceRegistration(parseJsonObject(await readBody(ctx.req)), DATACENTER);
  ctx.acl.require(ctx.identity, 'service:write', service.Service);
  ctx.agent.state.registry.registerService(service, checks, ctx.query.has('replace-existing-checks'));
  await syncAttempt(ctx);
  sendRaw(ctx.res, 200, undefined, '');
}

async function deregisterService(ctx: ApiContext): Promise<void> {
  const id = pathSuffix(ctx, '/v1/agent/service/deregister/');
  const service = ctx.agent.state.registry.getService(id);
  if (service === undefined) throw new HttpError(404, `Unknown service ID ${JSON.stringify(id)}. Ensure that the service ID is passed, not the service name.`);
  ctx.acl.require(ctx.identity, 'service:write', service.Service);
  ctx.agent.state.registry.deregisterService(id);
  await syncAttempt(ctx);
  sendRaw(ctx.res, 200, undefined, '');
}

async function registerCheck(ctx: ApiContext): Promise<void> {
  const spec = decodeCheck(parseJsonObject(await readBody(ctx.req)) ?? {});
  if (spec.name === '') throw badRequest('Missing check name');
  if (spec.status !== '' && !CHECK_STATUSES.includes(spec.status)) throw badRequest('Bad check status');
  validateCheck(spec);
  if (spec.checkId === '') spec.checkId = spec.name;
  const registry = ctx.agent.state.registry;
  if (spec.serviceId !== '') {
    const service = registry.getService(spec.serviceId);
    if (service === undefined) throw new HttpError(404, `ServiceID ${JSON.stringify(spec.serviceId)} does not exist`);
    ctx.acl.require(ctx.identity, 'service:write', service.Service);
  } else {
    ctx.acl.require(ctx.identity, 'node:write', ctx.agent.node);
  }
  registry.registerCheck(spec);
  await syncAttempt(ctx);
  sendRaw(ctx.res, 200, undefined, '');
}

function requireCheckWrite(ctx: ApiContext, check: AgentCheck): void {
  if (check.ServiceName !== '') ctx.acl.require(ctx.identity, 'service:write', check.ServiceName);
  else ctx.acl.require(ctx.identity, 'node:write', ctx.agent.node);
}

async function deregisterCheck(ctx: ApiContext): Promise<void> {
  const id = pathSuffix(ctx, '/v1/agent/check/deregister/');
  const check = ctx.agent.state.registry.getCheck(id);
  if (check === undefined) throw unknownCheck(id);
  requireCheckWrite(ctx, check);
  ctx.agent.state.registry.deregisterCheck(id);
  await syncAttempt(ctx);
  sendRaw(ctx.res, 200, undefined, '');
}

/** pass / warn / fail / update on TTL checks; a non-TTL check is a 500 as in agent.updateTTLCheck. */
function ttlUpdate(prefix: string, fixed?: string): (ctx: ApiContext) => Promise<void> {
  return async (ctx) => {
    const id = pathSuffix(ctx, prefix);
    const check = ctx.agent.state.registry.getCheck(id);
    if (check === undefined) throw unknownCheck(id);
    requireCheckWrite(ctx, check);
    let status = fixed ?? '';
    let output = ctx.query.get('note') ?? '';
    if (fixed === undefined) {
      const f = pickFields(parseJsonObject(await readBody(ctx.req)), ['Status', 'Output'], false);
      status = asString(f.get('Status'), 'Status');
      output = asString(f.get('Output'), 'Output');
      if (!CHECK_STATUSES.includes(status)) throw badRequest(`Invalid check status: '${status}'`);
    }
    if (ctx.agent.state.registry.getSpec(id)?.ttlNs === 0n || check.Type !== 'ttl') {
      throw serverError(`CheckID ${JSON.stringify(id)} does not have associated TTL`);
    }
    ctx.agent.state.registry.updateStatus(id, status, output);
    ctx.agent.state.runner.touchTtl(id);
    sendRaw(ctx.res, 200, undefined, '');
  };
}

async function listChecks(ctx: ApiContext): Promise<void> {
  const all = ctx.agent.state.registry.agentChecks();
  const visible = all.filter((c) => (c.ServiceID ? ctx.acl.allows(ctx.identity, 'service:read', c.ServiceName) : ctx.acl.allows(ctx.identity, 'node:read', ctx.agent.node)));
  markFiltered(ctx.res, ctx.identity, visible.length < all.length);
  sendJson(ctx.res, 200, Object.fromEntries(visible.map((c) => [c.CheckID, c])), ctx.pretty);
}

async function listServices(ctx: ApiContext): Promise<void> {
  const all = ctx.agent.state.registry.allServices();
  const visible = all.filter((s) => ctx.acl.allows(ctx.identity, 'service:read', s.Service));
  markFiltered(ctx.res, ctx.identity, visible.length < all.length);
  sendJson(ctx.res, 200, Object.fromEntries(visible.map((s) => [s.ID, s])), ctx.pretty);
}

async function self(ctx: ApiContext): Promise<void> {
  ctx.acl.require(ctx.identity, 'agent:read', ctx.agent.node);
  sendJson(ctx.res, 200, {
    Config: { Datacenter: DATACENTER, NodeName: ctx.agent.node, Server: !ctx.cluster.clientMode, Version: '1.21.0', Revision: 'consul-dev' },
    Member: { Name: ctx.agent.node, Addr: '127.0.0.1', Port: 8301, Tags: { role: 'consul', dc: DATACENTER }, Status: 1 },
    Meta: { 'consul-dev': 'true' },
  }, ctx.pretty);
}

/** Aggregated status: any critical → 503, else any warning → 429, else 200. */
async function serviceHealth(ctx: ApiContext): Promise<void> {
  const id = pathSuffix(ctx, '/v1/agent/health/service/id/');
  const text = ctx.query.get('format') === 'text';
  const service = ctx.agent.state.registry.getService(id);
  if (service === undefined) {
    const reason = `ServiceId ${id} not found`;
    return text ? sendText(ctx.res, 404, reason) : sendJson(ctx.res, 404, { AggregatedStatus: 'critical', Service: null, Checks: null });
  }
  ctx.acl.require(ctx.identity, 'service:read', service.Service);
  const checks = ctx.agent.state.registry.serviceChecks(id);
  const status = checks.some((c) => c.Status === 'critical') ? 'critical' : checks.some((c) => c.Status === 'warning') ? 'warning' : 'passing';
  const code = status === 'critical' ? 503 : status === 'warning' ? 429 : 200;
  if (text) return sendText(ctx.res, code, status);
  sendJson(ctx.res, code, { AggregatedStatus: status, Service: service, Checks: checks }, ctx.pretty);
}

/** Forwarded to a server, which answers the leader it knows: `""` without one. */
async function leader(ctx: ApiContext): Promise<void> {
  const none = ctx.faults.noLeader !== null || !ctx.cluster.hasLeader;
  sendJson(ctx.res, 200, none ? '' : ctx.cluster.clientMode ? SERVER_ADDRESS : LEADER_ADDRESS);
}

const put = (path: string, prefix: boolean, handle: Route['handle']): Route => ({ path, prefix, methods: ['PUT'], leader: false, handle });
const get = (path: string, prefix: boolean, handle: Route['handle']): Route => ({ path, prefix, methods: ['GET'], leader: false, handle });

export const agentRoutes: Route[] = [
  put('/v1/agent/service/register', false, registerService),
  put('/v1/agent/service/deregister/', true, deregisterService),
  put('/v1/agent/check/register', false, registerCheck),
  put('/v1/agent/check/deregister/', true, deregisterCheck),
  put('/v1/agent/check/pass/', true, ttlUpdate('/v1/agent/check/pass/', 'passing')),
  put('/v1/agent/check/warn/', true, ttlUpdate('/v1/agent/check/warn/', 'warning')),
  put('/v1/agent/check/fail/', true, ttlUpdate('/v1/agent/check/fail/', 'critical')),
  put('/v1/agent/check/update/', true, ttlUpdate('/v1/agent/check/update/')),
  get('/v1/agent/checks', false, listChecks),
  get('/v1/agent/services', false, listServices),
  get('/v1/agent/self', false, self),
  get('/v1/agent/health/service/id/', true, serviceHealth),
  { ...get('/v1/status/leader', false, leader), forwarded: true },
];
