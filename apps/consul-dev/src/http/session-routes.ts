// /v1/session/* (§2.2–2.6).
import { HttpError, serverError } from '../http-error.js';
import { decodeSessionCreate } from '../state/session-request.js';
import type { Session } from '../state/session-store.js';
import { type ApiContext, blockingRead, pathSuffix } from './api-context.js';
import { parseJsonObject, readBody } from './request-body.js';
import { sendJson, sendText } from './respond.js';
import type { Route } from './router.js';

function sessionId(ctx: ApiContext, prefix: string): string {
  const id = pathSuffix(ctx, prefix);
  if (id === '') throw new HttpError(400, 'Missing session');
  return id;
}

async function create(ctx: ApiContext): Promise<void> {
  const request = decodeSessionCreate(parseJsonObject(await readBody(ctx.req)), ctx.agent.node);
  if (request.node === '') throw serverError('Must provide Node');
  ctx.acl.require(ctx.identity, 'session:write', request.node);
  const session = ctx.state.sessions.create(request);
  sendJson(ctx.res, 200, { ID: session.ID }, ctx.pretty);
}

async function destroy(ctx: ApiContext): Promise<void> {
  const id = sessionId(ctx, '/v1/session/destroy/');
  ctx.acl.require(ctx.identity, 'session:write', ctx.state.sessions.get(id)?.Node ?? ctx.agent.node);
  ctx.state.sessions.destroy(id);
  sendJson(ctx.res, 200, true);
}

async function renew(ctx: ApiContext): Promise<void> {
  const id = sessionId(ctx, '/v1/session/renew/');
  const existing = ctx.state.sessions.get(id);
  if (existing === undefined) return sendText(ctx.res, 404, `Session id '${id}' not found`);
  ctx.acl.require(ctx.identity, 'session:write', existing.Node);
  const session = ctx.state.sessions.renew(id);
  if (session === undefined) return sendText(ctx.res, 404, `Session id '${id}' not found`);
  sendJson(ctx.res, 200, [session], ctx.pretty);
}

/** Session reads keep the sessions of nodes the caller may read (`session:read` on the session's node), §13. */
function readable(ctx: ApiContext, sessions: Session[]): { value: Session[]; filtered: boolean } {
  const value = sessions.filter((s) => ctx.acl.allows(ctx.identity, 'session:read', s.Node));
  return { value, filtered: value.length < sessions.length };
}

async function info(ctx: ApiContext): Promise<void> {
  const id = sessionId(ctx, '/v1/session/info/');
  const result = await blockingRead(ctx, () => {
    const s = ctx.state.sessions.get(id);
    return { index: ctx.state.sessions.tableIndex, ...readable(ctx, s ? [s] : []), notFound: s === undefined };
  });
  sendJson(ctx.res, 200, result.value, ctx.pretty);
}

async function node(ctx: ApiContext): Promise<void> {
  const name = pathSuffix(ctx, '/v1/session/node/');
  if (name === '') throw new HttpError(400, 'Missing node name');
  const result = await blockingRead(ctx, () => ({
    index: ctx.state.sessions.tableIndex,
    ...readable(ctx, ctx.state.sessions.list().filter((s) => s.Node === name)),
  }));
  sendJson(ctx.res, 200, result.value, ctx.pretty);
}

async function list(ctx: ApiContext): Promise<void> {
  const result = await blockingRead(ctx, () => ({ index: ctx.state.sessions.tableIndex, ...readable(ctx, ctx.state.sessions.list()) }));
  sendJson(ctx.res, 200, result.value, ctx.pretty);
}

export const sessionRoutes: Route[] = [
  { path: '/v1/session/create', prefix: false, methods: ['PUT'], leader: true, handle: create },
  { path: '/v1/session/destroy/', prefix: true, methods: ['PUT'], leader: true, handle: destroy },
  { path: '/v1/session/renew/', prefix: true, methods: ['PUT'], leader: true, handle: renew },
  { path: '/v1/session/info/', prefix: true, methods: ['GET'], leader: true, handle: info },
  { path: '/v1/session/node/', prefix: true, methods: ['GET'], leader: true, handle: node },
  { path: '/v1/session/list', prefix: false, methods: ['GET'], leader: true, handle: list },
];
