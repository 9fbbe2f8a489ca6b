// ACL policies over HTTP (docs/consul-behaviour.md §13): each route checks the rule A6 names for it,
// lists are filtered (A7) with the header (A8), the default policy and the anonymous token (A4), and
// Consul's 403 texts (A5). Every test names the fact it checks.
import { describe, expect, it } from '@jest/globals';
import { type CallResult, type TestDouble, useDoubles } from './double.js';

const start = useDoubles();
const ROOT = 'root-secret';
const NODE = 'consul-dev';
const DENIED_BY = (permission: string, on: string | null) =>
  new RegExp(`^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission '${permission}'${on === null ? '' : ` on "${on.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`}$`);

/** A double with default deny, the management token, and one token per policy given. */
async function withPolicies(policies: Record<string, string>, defaultPolicy: 'allow' | 'deny' = 'deny'): Promise<TestDouble> {
  return start({
    aclTokens: [ROOT, ...Object.keys(policies).map((name) => ({ secret: `${name}-secret`, policies: [name] }))],
    aclPolicies: policies,
    aclDefaultPolicy: defaultPolicy,
  });
}

const as = (secret: string) => ({ 'X-Consul-Token': secret });

/** Service `web` with a TTL check, a node check `disk`, a session holding key `k`, keys under `dir/`. */
async function seed(d: TestDouble): Promise<{ session: string }> {
  const root = as(ROOT);
  await d.call('PUT', '/v1/agent/service/register', { ID: 'web', Name: 'web', Check: { CheckID: 'web-ttl', TTL: '1h', Status: 'passing' } }, root);
  await d.call('PUT', '/v1/agent/check/register', { Name: 'disk', TTL: '1h', Status: 'passing' }, root);
  const session = (await d.call('PUT', '/v1/session/create', {}, root)).json<{ ID: string }>().ID;
  for (const key of ['k', 'dir/a', 'dir/b', 'other/c']) await d.call('PUT', `/v1/kv/${key}`, 'v', root);
  return { session };
}

interface RouteCase {
  what: string;
  rule: string;
  permission: string;
  on: string | null;
  call(d: TestDouble, token: Record<string, string>, seeded: { session: string }): Promise<CallResult>;
}

const ROUTES: RouteCase[] = [
  { what: 'GET /v1/kv/<key>', rule: 'key "k" { policy = "read" }', permission: 'key:read', on: 'k', call: (d, t) => d.call('GET', '/v1/kv/k', undefined, t) },
  { what: 'PUT /v1/kv/<key>', rule: 'key "k" { policy = "write" }', permission: 'key:write', on: 'k', call: (d, t) => d.call('PUT', '/v1/kv/k', 'x', t) },
  { what: 'DELETE /v1/kv/<key>', rule: 'key "k" { policy = "write" }', permission: 'key:write', on: 'k', call: (d, t) => d.call('DELETE', '/v1/kv/k', undefined, t) },
  { what: 'DELETE /v1/kv/<prefix>?recurse', rule: 'key_prefix "dir/" { policy = "write" }', permission: 'key:write', on: 'dir/', call: (d, t) => d.call('DELETE', '/v1/kv/dir/?recurse', undefined, t) },
  { what: 'PUT /v1/session/create', rule: `session "${NODE}" { policy = "write" }`, permission: 'session:write', on: NODE, call: (d, t) => d.call('PUT', '/v1/session/create', {}, t) },
  { what: 'PUT /v1/session/renew/<id>', rule: `session "${NODE}" { policy = "write" }`, permission: 'session:write', on: NODE, call: (d, t, s) => d.call('PUT', `/v1/session/renew/${s.session}`, undefined, t) },
  { what: 'PUT /v1/session/destroy/<id>', rule: `session "${NODE}" { policy = "write" }`, permission: 'session:write', on: NODE, call: (d, t, s) => d.call('PUT', `/v1/session/destroy/${s.session}`, undefined, t) },
  { what: 'PUT /v1/agent/service/register', rule: 'service "api" { policy = "write" }', permission: 'service:write', on: 'api', call: (d, t) => d.call('PUT', '/v1/agent/service/register', { Name: 'api' }, t) },
  { what: 'PUT /v1/agent/service/deregister/<id>', rule: 'service "web" { policy = "write" }', permission: 'service:write', on: 'web', call: (d, t) => d.call('PUT', '/v1/agent/service/deregister/web', undefined, t) },
  { what: 'PUT /v1/agent/check/register (node check)', rule: `node "${NODE}" { policy = "write" }`, permission: 'node:write', on: NODE, call: (d, t) => d.call('PUT', '/v1/agent/check/register', { Name: 'mem', TTL: '1h' }, t) },
  { what: 'PUT /v1/agent/check/register (service check)', rule: 'service "web" { policy = "write" }', permission: 'service:write', on: 'web', call: (d, t) => d.call('PUT', '/v1/agent/check/register', { Name: 'w2', ServiceID: 'web', TTL: '1h' }, t) },
  { what: 'PUT /v1/agent/check/pass/<id>', rule: 'service "web" { policy = "write" }', permission: 'service:write', on: 'web', call: (d, t) => d.call('PUT', '/v1/agent/check/pass/web-ttl', undefined, t) },
  { what: 'PUT /v1/agent/check/deregister/<id>', rule: `node "${NODE}" { policy = "write" }`, permission: 'node:write', on: NODE, call: (d, t) => d.call('PUT', '/v1/agent/check/deregister/disk', undefined, t) },
  { what: 'GET /v1/agent/self', rule: `agent "${NODE}" { policy = "read" }`, permission: 'agent:read', on: NODE, call: (d, t) => d.call('GET', '/v1/agent/self', undefined, t) },
  { what: 'GET /v1/agent/health/service/id/<id>', rule: 'service "web" { policy = "read" }', permission: 'service:read', on: 'web', call: (d, t) => d.call('GET', '/v1/agent/health/service/id/web', undefined, t) },
];

describe('every route checks its rule (docs/consul-behaviour.md §13 A6)', () => {
  it.each(ROUTES.map((r) => [r.what, r.permission, r.on, r] as const))('A6: %s needs %s on %j', async (_what, permission, on, route) => {
    const d = await withPolicies({ granted: route.rule, nothing: '' });
    const seeded = await seed(d);
    const without = await route.call(d, as('nothing-secret'), seeded);
    expect(without.status).toBe(403);
    expect(without.text).toMatch(DENIED_BY(permission, on));
    const granted = await route.call(d, as('granted-secret'), seeded);
    expect([granted.status, granted.text]).not.toEqual([403, expect.stringContaining('Permission denied')]);
    expect(granted.status).toBeLessThan(300);
  });

  it('A6: a read rule does not grant write; /v1/status/leader needs no rule at all', async () => {
    const d = await withPolicies({ reader: 'key_prefix "" { policy = "read" }' });
    expect((await d.call('GET', '/v1/kv/none', undefined, as('reader-secret'))).status).toBe(404);
    expect((await d.call('PUT', '/v1/kv/k', 'x', as('reader-secret'))).text).toMatch(DENIED_BY('key:write', 'k'));
    expect((await d.call('GET', '/v1/status/leader')).status).toBe(200);
  });

  it('A6: destroying another node\'s session needs session:write on that node, not on the caller\'s', async () => {
    const d = await start({
      agents: ['a4c-1', 'a4c-2'],
      aclTokens: [ROOT, { secret: 'own', policies: ['own'] }, { secret: 'peers', policies: ['peers'] }],
      aclPolicies: { own: 'session "a4c-1" { policy = "write" }', peers: 'session_prefix "a4c-" { policy = "write" }' },
    });
    const other = (await d.callAgent('a4c-2', 'PUT', '/v1/session/create', {}, as(ROOT))).json<{ ID: string }>().ID;
    expect((await d.callAgent('a4c-1', 'PUT', `/v1/session/destroy/${other}`, undefined, as('own'))).text).toMatch(DENIED_BY('session:write', 'a4c-2'));
    expect((await d.callAgent('a4c-1', 'PUT', `/v1/session/destroy/${other}`, undefined, as('peers'))).text).toBe('true');
  });
});

describe('lists are filtered, not refused (A7), and say so (A8)', () => {
  const FILTERED = 'x-consul-results-filtered-by-acls';

  it('A7: health/service without node:read is an empty 200, with it the instance; A8: the header shows the filtering', async () => {
    const d = await withPolicies({ svc: 'service "web" { policy = "read" }', both: 'service "web" { policy = "read" }\nnode_prefix "" { policy = "read" }' });
    await seed(d);
    const hidden = await d.call('GET', '/v1/health/service/web', undefined, as('svc-secret'));
    expect([hidden.status, hidden.json(), hidden.headers.get(FILTERED)]).toEqual([200, [], 'true']);
    const shown = await d.call('GET', '/v1/health/service/web', undefined, as('both-secret'));
    expect([shown.json<unknown[]>().length, shown.headers.get(FILTERED)]).toEqual([1, null]);
    expect((await d.call('GET', '/v1/catalog/service/web', undefined, as('svc-secret'))).json()).toEqual([]);
  });

  it('A7: KV ?recurse and ?keys keep the readable keys; session lists keep the readable nodes; catalog/nodes and health/node likewise', async () => {
    const d = await withPolicies({ part: 'key_prefix "dir/" { policy = "read" }\nnode_prefix "x" { policy = "read" }', none: '' });
    await seed(d);
    const t = as('part-secret');
    const recurse = await d.call('GET', '/v1/kv/?recurse', undefined, t);
    expect([recurse.json<Array<{ Key: string }>>().map((e) => e.Key), recurse.headers.get(FILTERED)]).toEqual([['dir/a', 'dir/b'], 'true']);
    expect((await d.call('GET', '/v1/kv/?keys', undefined, t)).json()).toEqual(['dir/a', 'dir/b']);
    const sessions = await d.call('GET', '/v1/session/list', undefined, t);
    expect([sessions.json(), sessions.headers.get(FILTERED)]).toEqual([[], 'true']);
    expect((await d.call('GET', '/v1/catalog/nodes', undefined, t)).json()).toEqual([]);
    expect((await d.call('GET', `/v1/health/node/${NODE}`, undefined, t)).json()).toEqual([]);
    expect((await d.call('GET', '/v1/agent/services', undefined, as('none-secret'))).json()).toEqual({});
    expect((await d.call('GET', '/v1/agent/checks', undefined, as('none-secret'))).headers.get(FILTERED)).toBe('true');
  });

  it('A8: the anonymous caller gets the same filtering but never the header', async () => {
    const d = await start({ aclTokens: [ROOT, { secret: 'anonymous', policies: ['anon'] }], aclPolicies: { anon: 'service_prefix "" { policy = "read" }' } });
    await seed(d);
    const r = await d.call('GET', '/v1/health/service/web');
    expect([r.status, r.json(), r.headers.get(FILTERED)]).toEqual([200, [], null]);
  });
});

describe('default policy, anonymous token and 403 texts (A4, A5)', () => {
  it('A4: with default allow, a name without a rule is allowed (write too), while a deny rule still refuses', async () => {
    const d = await withPolicies({ p: 'key "locked" { policy = "deny" }' }, 'allow');
    expect((await d.call('PUT', '/v1/kv/free', 'x', as('p-secret'))).text).toBe('true');
    expect((await d.call('PUT', '/v1/kv/free', 'x')).text).toBe('true'); // anonymous, default allow
    expect((await d.call('GET', '/v1/kv/locked', undefined, as('p-secret'))).text).toMatch(DENIED_BY('key:read', 'locked'));
  });

  it('A4: policies bound to the anonymous token apply to requests without a token; A5: its denial names the anonymous token', async () => {
    const d = await start({ aclTokens: [ROOT, { secret: 'anonymous', policies: ['anon'] }], aclPolicies: { anon: 'key_prefix "pub/" { policy = "read" }' } });
    await d.call('PUT', '/v1/kv/pub/x', 'v', as(ROOT));
    expect((await d.call('GET', '/v1/kv/pub/x')).status).toBe(200);
    const r = await d.call('GET', '/v1/kv/priv');
    expect([r.status, r.text]).toEqual([403,
      'Permission denied: anonymous token lacks permission \'key:read\' on "priv". The anonymous token is used implicitly when a request does not specify a token.']);
  });

  it('A3: a token with two policies gets the merge (deny wins over write for the same rule)', async () => {
    const d = await start({
      aclTokens: [{ secret: 'two', policies: ['w', 'd'] }],
      aclPolicies: { w: 'key_prefix "a/" { policy = "write" }\nkey "a/x" { policy = "write" }', d: 'key "a/x" { policy = "deny" }' },
    });
    expect((await d.call('PUT', '/v1/kv/a/y', 'v', as('two'))).text).toBe('true');
    expect((await d.call('PUT', '/v1/kv/a/x', 'v', as('two'))).text).toMatch(DENIED_BY('key:write', 'a/x'));
  });

  it('A5: the legacy tokens keep working: the first management, the others read-only; an unknown token is ACL not found', async () => {
    const d = await start({ aclTokens: [ROOT, 'reader'] });
    expect((await d.call('PUT', '/v1/kv/k', 'v', as(ROOT))).text).toBe('true');
    expect((await d.call('GET', '/v1/kv/k', undefined, as('reader'))).status).toBe(200);
    expect((await d.call('PUT', '/v1/kv/k', 'v', as('reader'))).text).toMatch(DENIED_BY('key:write', 'k'));
    expect((await d.call('GET', '/v1/kv/k', undefined, as('who'))).text).toBe('ACL not found');
  });

  it('A1: a policy that does not parse, or a token bound to an unknown policy, stops the double from starting', async () => {
    await expect(start({ aclPolicies: { bad: 'kv "x" { policy = "read" }' } })).rejects.toThrow('policy "bad": line 1: unknown resource "kv"');
    await expect(start({ aclTokens: [{ secret: 's', policies: ['ghost'] }] })).rejects.toThrow('unknown policy "ghost"');
  });
});
