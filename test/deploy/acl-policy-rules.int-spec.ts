import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { parse } from '@cdktf/hcl2json';
import { parsePolicyHcl } from '../../apps/consul-dev/src/acl/policy-hcl.js';
import { SEGMENTED } from '../../apps/consul-dev/src/acl/policy-rules.js';
import { type ConsulDevServer, startConsulDev } from '../../apps/consul-dev/src/consul-dev-server.js';

// Every rule of the shipped ACL policies is needed by the call its comment names: against consul-dev
// with default deny (docs/consul-behaviour.md §13), the call works with the policy as shipped and fails
// (403, or an ACL-filtered empty list) with that one rule removed. The whole cluster under these
// policies is test/e2e/shipped-acl-policies.e2e-spec.ts.
const ACL_DIR = join(process.cwd(), 'deploy', 'consul', 'acl');
const source = (file: string) => readFileSync(join(ACL_DIR, file), 'utf8');

/** The policy text without the block `type "label" { ... }`. */
function without(policy: string, type: string, label: string): string {
  const block = new RegExp(`^${type} "${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" \\{[^}]*\\}\\n?`, 'm');
  expect(policy).toMatch(block);
  return policy.replace(block, '');
}

const started: ConsulDevServer[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.close();
});

/** Two A4C hosts (a4c-host-1 and -2), the management token `root` and `tok` bound to `policy`. */
async function hosts(policy: string) {
  const server = await startConsulDev({
    agents: ['a4c-host-1', 'a4c-host-2'],
    aclDefaultPolicy: 'deny',
    aclPolicies: { shipped: policy },
    aclTokens: ['root', { secret: 'tok', policies: ['shipped'] }],
  });
  started.push(server);
  const call = async (node: string, method: string, path: string, body?: unknown, token = 'tok') => {
    const port = server.agents.find((a) => a.node === node)!.port;
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { 'X-Consul-Token': token }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  };
  // an instance registered on host 2 and a session there: a peer's, for the calls below
  await call('a4c-host-2', 'PUT', '/v1/agent/service/register', { ID: 'a4c-peer', Name: 'a4c', Check: { CheckID: 'service:a4c-peer', TTL: '1h', Status: 'passing' } }, 'root');
  const peerSession = (JSON.parse((await call('a4c-host-2', 'PUT', '/v1/session/create', {}, 'root')).text) as { ID: string }).ID;
  return { call, peerSession };
}

type Hosts = Awaited<ReturnType<typeof hosts>>;

/** Each rule of a4c.policy.hcl and the call its comment names: true when the call got what it needs. */
const A4C_RULES: Array<[string, string, string, (h: Hosts) => Promise<boolean>]> = [
  ['service', 'a4c', 'PUT /v1/agent/service/register of a4c-<instanceId>', async ({ call }) =>
    (await call('a4c-host-1', 'PUT', '/v1/agent/service/register', { ID: 'a4c-me', Name: 'a4c' })).status === 200],
  ['node_prefix', 'a4c-', 'GET /v1/health/service/a4c sees the instances (cluster view, a4c-ha)', async ({ call }) =>
    (JSON.parse((await call('a4c-host-1', 'GET', '/v1/health/service/a4c')).text) as unknown[]).length === 1],
  ['key_prefix', 'service/a4c/', 'PUT /v1/kv/service/a4c/leader?acquire=<session>', async ({ call }) => {
    const session = (JSON.parse((await call('a4c-host-1', 'PUT', '/v1/session/create', {}, 'root')).text) as { ID: string }).ID;
    return (await call('a4c-host-1', 'PUT', `/v1/kv/service/a4c/leader?acquire=${session}`, '{}')).text === 'true';
  }],
  ['session_prefix', 'a4c-', 'PUT /v1/session/destroy/<a crashed peer\'s session> (and create on its own node)', async ({ call, peerSession }) =>
    (await call('a4c-host-1', 'PUT', `/v1/session/destroy/${peerSession}`)).text === 'true' && (await call('a4c-host-1', 'PUT', '/v1/session/create', {})).status === 200],
];

/** Each rule of consul-template.policy.hcl and the read of deploy/nginx/a4c.conf.ctmpl that needs it. */
const PROXY_RULES: Array<[string, string, string, (h: Hosts) => Promise<boolean>]> = [
  ['key_prefix', 'service/a4c/', 'GET /v1/kv/service/a4c/?recurse ({{ ls }}) sees the leader key', async ({ call }) => {
    await call('a4c-host-1', 'PUT', '/v1/kv/service/a4c/leader', '{}', 'root');
    return (await call('a4c-host-1', 'GET', '/v1/kv/service/a4c/?recurse')).status === 200;
  }],
  ['service', 'a4c', 'GET /v1/health/service/a4c ({{ service }}) sees the instance', async ({ call }) =>
    (JSON.parse((await call('a4c-host-1', 'GET', '/v1/health/service/a4c')).text) as unknown[]).length === 1],
  ['node_prefix', 'a4c-', 'the same read is not emptied by the node filter', async ({ call }) =>
    (JSON.parse((await call('a4c-host-1', 'GET', '/v1/health/service/a4c')).text) as unknown[]).length === 1],
];

describe.each([
  ['a4c.policy.hcl', A4C_RULES],
  ['consul-template.policy.hcl', PROXY_RULES],
])('deploy/consul/acl/%s: every rule is needed by its call', (file, rules) => {
  it('covers every rule of the file', () => {
    const parsed = parsePolicyHcl(source(file));
    const inFile = SEGMENTED.flatMap((r) => [...[...parsed.exact[r].keys()].map((l) => [r, l]), ...[...parsed.prefix[r].keys()].map((l) => [`${r}_prefix`, l])]);
    expect(inFile.map(([t, l]) => `${t} ${l}`).sort()).toEqual(rules.map(([t, l]) => `${t} ${l}`).sort());
    expect(parsed.global).toEqual({});
  });

  it.each(rules.map(([type, label, call, works]) => [`${type} "${label}"`, call, type, label, works] as const))('%s: %s', async (_rule, _call, type, label, works) => {
    expect(await works(await hosts(source(file)))).toBe(true);
    expect(await works(await hosts(without(source(file), type, label)))).toBe(false);
  });
});

describe('consul-dev reads the shipped policies as HashiCorp\'s HCL parser does (docs/consul-behaviour.md §13 A1)', () => {
  it.each(['a4c.policy.hcl', 'consul-template.policy.hcl', 'agent.policy.hcl'])('%s', async (file) => {
    const hashicorp = (await parse(file, source(file))) as Record<string, Record<string, Array<{ policy: string }>> | string>;
    const fromHashicorp = Object.entries(hashicorp).flatMap(([type, labels]) =>
      typeof labels === 'string' ? [`${type} = ${labels}`] : Object.entries(labels).map(([label, [body]]) => `${type} "${label}" ${body!.policy}`));
    const ours = parsePolicyHcl(source(file));
    const fromOurs = [
      ...SEGMENTED.flatMap((r) => [...[...ours.exact[r]].map(([l, a]) => `${r} "${l}" ${a}`), ...[...ours.prefix[r]].map(([l, a]) => `${r}_prefix "${l}" ${a}`)]),
      ...Object.entries(ours.global).map(([r, a]) => `${r} = ${a}`),
    ];
    expect(fromOurs.sort()).toEqual(fromHashicorp.sort());
  });
});
