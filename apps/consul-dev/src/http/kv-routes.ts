// /v1/kv/<key> (§4): GET (single, ?raw, ?recurse, ?keys), PUT (plain, ?cas, ?acquire, ?release,
// ?flags) and DELETE (plain, ?recurse, ?cas).
import { badRequest, serverError } from '../http-error.js';
import type { KvEntry } from '../state/kv-store.js';
import { type ApiContext, blockingRead, pathSuffix } from './api-context.js';
import { readBody } from './request-body.js';
import { kvEntryJson, sendJson, sendJsonText, sendRaw } from './respond.js';
import type { Route } from './router.js';

/** kv_max_value_size default. */
export const KV_MAX_VALUE_SIZE = 512 * 1024;
const PREFIX = '/v1/kv/';

/** strconv.ParseUint failures come back as plain 500s, with Go's wording. */
function parseUint(query: URLSearchParams, name: string): bigint | undefined {
  if (!query.has(name)) return undefined;
  const text = query.get(name) ?? '';
  if (!/^\d+$/.test(text)) throw serverError(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = BigInt(text);
  if (value > 0xffff_ffff_ffff_ffffn) throw serverError(`strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  return value;
}

/** url.Values.Encode(): keys sorted, values escaped (used in the `Conflicting flags` text). */
function encodeQuery(query: URLSearchParams): string {
  const keys = [...new Set(query.keys())].sort();
  return keys.flatMap((k) => query.getAll(k).map((v) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
}

function keysUnder(entries: KvEntry[], prefix: string, separator: string): string[] {
  const out = new Set<string>();
  for (const e of entries) {
    const at = separator === '' ? -1 : e.key.indexOf(separator, prefix.length);
    out.add(at === -1 ? e.key : e.key.slice(0, at + separator.length));
  }
  return [...out];
}

async function get(ctx: ApiContext): Promise<void> {
  const key = pathSuffix(ctx, PREFIX);
  const kv = ctx.state.kv;
  // ACLs filter list results key by key (key:read on each), and say so in a header (§13).
  const canRead = (k: string) => ctx.acl.allows(ctx.identity, 'key:read', k);
  if (ctx.query.has('keys')) {
    const result = await blockingRead(ctx, () => {
      const { index, entries } = kv.list(key);
      const visible = entries.filter((e) => canRead(e.key));
      return { index, value: keysUnder(visible, key, ctx.query.get('separator') ?? ''), filtered: visible.length < entries.length };
    });
    if (result.value.length === 0 && key !== '') return sendRaw(ctx.res, 404, undefined, '');
    return sendJson(ctx.res, 200, result.value, ctx.pretty);
  }
  if (ctx.query.has('recurse')) {
    const result = await blockingRead(ctx, () => {
      const { index, entries } = kv.list(key);
      const visible = entries.filter((e) => canRead(e.key));
      return { index, value: visible, notFound: visible.length === 0, filtered: visible.length < entries.length };
    });
    if (result.value.length === 0) return sendRaw(ctx.res, 404, undefined, '');
    return sendJsonText(ctx.res, 200, `[${result.value.map(kvEntryJson).join(',')}]`);
  }
  if (key === '') throw badRequest('Missing key name');
  ctx.acl.require(ctx.identity, 'key:read', key);
  const result = await blockingRead(ctx, () => {
    const entry = kv.get(key);
    return { index: entry?.modifyIndex ?? kv.tableIndex, value: entry, notFound: entry === undefined };
  });
  const entry = result.value;
  if (entry === undefined) return sendRaw(ctx.res, 404, undefined, '');
  if (ctx.query.has('raw')) {
    ctx.res.setHeader('X-Content-Type-Options', 'nosniff');
    ctx.res.setHeader('Content-Security-Policy', 'sandbox');
    return sendRaw(ctx.res, 200, 'text/plain', entry.value ?? Buffer.alloc(0));
  }
  sendJsonText(ctx.res, 200, `[${kvEntryJson(entry)}]`);
}

async function put(ctx: ApiContext): Promise<void> {
  const key = pathSuffix(ctx, PREFIX);
  if (key === '') throw badRequest('Missing key name');
  const q = ctx.query;
  if (['cas', 'acquire', 'release'].filter((p) => q.has(p)).length > 1) throw badRequest(`Conflicting flags: ${encodeQuery(q)}`);
  const flags = parseUint(q, 'flags') ?? 0n;
  const cas = parseUint(q, 'cas');
  const value = await readBody(ctx.req, KV_MAX_VALUE_SIZE);
  ctx.acl.require(ctx.identity, 'key:write', key);
  const { kv, sessions, raft } = ctx.state;
  let ok: boolean;
  if (q.has('acquire')) {
    const session = q.get('acquire') ?? '';
    // kvsPreApply refuses a lock-delayed key before the state store looks at the session.
    if (kv.lockDelayed(key)) ok = false;
    else if (session === '') throw serverError('missing session');
    else if (sessions.get(session) === undefined) throw serverError(`invalid session ${JSON.stringify(session)}`);
    else ok = raft.write((index) => kv.acquire(index, key, value, flags, session));
  } else if (q.has('release')) {
    const session = q.get('release') ?? '';
    if (session === '') throw serverError('missing session');
    ok = raft.write((index) => kv.release(index, key, value, flags, session));
  } else if (cas !== undefined) {
    ok = raft.write((index) => kv.cas(index, key, value, flags, Number(cas)));
  } else {
    ok = raft.write((index) => kv.put(index, key, value, flags));
  }
  sendJson(ctx.res, 200, ok);
}

async function del(ctx: ApiContext): Promise<void> {
  const key = pathSuffix(ctx, PREFIX);
  const recurse = ctx.query.has('recurse');
  if (key === '' && !recurse) throw badRequest('Missing key name');
  const cas = parseUint(ctx.query, 'cas');
  // A recursive delete needs write on the whole tree: no rule inside the prefix may grant less (§13).
  if (recurse ? !ctx.acl.allowsKeyTree(ctx.identity, key) : !ctx.acl.allows(ctx.identity, 'key:write', key)) throw ctx.acl.denied(ctx.identity, 'key:write', key);
  const { kv, raft } = ctx.state;
  const ok = raft.write((index) =>
    recurse ? kv.deleteTree(index, key) : cas !== undefined ? kv.deleteCas(index, key, Number(cas)) : kv.delete(index, key),
  );
  sendJson(ctx.res, 200, ok);
}

export const kvRoutes: Route[] = [
  {
    path: PREFIX,
    prefix: true,
    methods: ['GET', 'PUT', 'DELETE'],
    leader: true,
    handle: (ctx) => (ctx.method === 'GET' ? get(ctx) : ctx.method === 'PUT' ? put(ctx) : del(ctx)),
  },
];
