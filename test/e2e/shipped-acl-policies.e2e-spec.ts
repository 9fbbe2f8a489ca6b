import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type ConsulView, renderConsulTemplate } from '../deploy/support/go-template.js';
import { A4cCluster, type A4cInstance } from '../support/a4c-cluster.js';
import { killAllSpawned } from '../support/spawned-process.js';
import { waitUntil } from '../support/wait-until.js';

// The cluster exactly as deploy/ ships it, as far as Consul's rights go: consul-dev with default deny
// and nothing but the policies of deploy/consul/acl/*.hcl (docs/consul-behaviour.md §13), each token
// bound to its policy as deploy/consul/acl's headers say. Election, failover, step-down with and
// without a candidate, the cluster view, every a4c-ha command and consul-template's reads for the
// nginx sample must all work; no instance may ever be refused by Consul.
jest.setTimeout(120_000);

const ACL_DIR = join(process.cwd(), 'deploy', 'consul', 'acl');
const CLI = join(process.cwd(), 'libs', 'ha', 'dist', 'cli', 'main.js');
const TEMPLATE = readFileSync(join(process.cwd(), 'deploy', 'nginx', 'a4c.conf.ctmpl'), 'utf8');
const A4C_TOKEN = 'a4c-instances-token';
const PROXY_TOKEN = 'consul-template-token';
const ADMIN_TOKEN = 'shipped-acl-e2e-admin';
/** deploy/consul/client.hcl names A4C hosts a4c-*: the policies grant on those node names. */
const NODES = ['a4c-host-1', 'a4c-host-2', 'a4c-host-3'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 40_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

interface HealthEntry {
  Node: { Node: string; Address: string };
  Service: { ID: string; Address: string; Port: number };
  Checks: Array<{ Status: string }>;
}

/** What consul-template reads for deploy/nginx/a4c.conf.ctmpl, with its token: the key tree and the service's health. */
async function consulTemplateView(consulUrl: string, token: string): Promise<{ view: ConsulView; statuses: number[] }> {
  const headers = { 'X-Consul-Token': token };
  const kv = await fetch(`${consulUrl}/v1/kv/service/a4c/?recurse`, { headers });
  const health = await fetch(`${consulUrl}/v1/health/service/a4c`, { headers });
  const entries = kv.status === 200 ? ((await kv.json()) as Array<{ Key: string; Value: string | null; Session?: string }>) : [];
  const instances = health.status === 200 ? ((await health.json()) as HealthEntry[]) : [];
  const status = (checks: HealthEntry['Checks']) =>
    checks.some((c) => c.Status === 'critical') ? 'critical' : checks.some((c) => c.Status === 'warning') ? 'warning' : 'passing';
  return {
    statuses: [kv.status, health.status],
    view: {
      kv: Object.fromEntries(entries.map((e) => [e.Key, { value: e.Value ? Buffer.from(e.Value, 'base64').toString('utf8') : '', ...(e.Session ? { session: e.Session } : {}) }])),
      services: {
        a4c: instances.map((i) => ({ id: i.Service.ID, node: i.Node.Node, address: i.Service.Address || i.Node.Address, port: i.Service.Port, status: status(i.Checks) })),
      },
    },
  };
}

describe('the shipped ACL policies (deploy/consul/acl/*.hcl) under default deny', () => {
  let cluster: A4cCluster;
  let config: string[];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('run `npm run build` first');
    cluster = await A4cCluster.start({
      healthCheckPeriodInSecond: 1,
      consulSessionTTLInSecond: 15,
      drainTimeoutInMillis: 2_000,
      agentNames: NODES,
      consulTimings: { detectMs: 1_500, rejoinMs: 500 },
      consulAcl: {
        defaultPolicy: 'deny',
        policyFiles: {
          a4c: join(ACL_DIR, 'a4c.policy.hcl'),
          'a4c-proxy': join(ACL_DIR, 'consul-template.policy.hcl'),
          'agent-a4c-host-1': join(ACL_DIR, 'agent.policy.hcl'),
        },
        tokens: [`${A4C_TOKEN}=a4c`, `${PROXY_TOKEN}=a4c-proxy`],
      },
      consulToken: A4C_TOKEN,
    });
    await Promise.all(NODES.map((agent) => cluster.addInstance({ agent, args: [`--ha.adminToken=${ADMIN_TOKEN}`] })));
    config = ['--config', join(cluster.dir, 'a4c.yml')];
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop().catch(() => undefined);
    await killAllSpawned();
  });

  /** No instance was refused by Consul: the policies cover every call the plugin made. */
  function expectNoDenial(): void {
    const denied = cluster.instances.flatMap((i) => i.lines.filter((l) => /Permission denied|ACL not found/.test(l.text)).map((l) => `${i.port}: ${l.text}`));
    expect(denied).toEqual([]);
  }

  async function oneActingLeader(): Promise<A4cInstance> {
    const [leader] = await waitUntil(async () => {
      const leaders = await cluster.leaders();
      return leaders.length === 1 ? leaders : undefined;
    }, { timeoutMs: 40_000, intervalMs: 200, what: 'exactly one acting leader' });
    return leader!;
  }

  it('election: one instance acts, the two others are backups that know it', async () => {
    const leader = await oneActingLeader();
    for (const instance of cluster.live().filter((i) => i !== leader)) {
      await waitUntil(async () => (await instance.status()).leader?.id === leader.instanceId, { what: `backup ${instance.port} to know the leader` });
    }
    expectNoDenial();
  });

  it('the cluster view (GET /rest/admin/ha/cluster) lists every instance: health/service filtered by node:read needs node_prefix read', async () => {
    const leader = await oneActingLeader();
    const view = await waitUntil(async () => {
      const body = (await (await fetch(`${leader.url}/rest/admin/ha/cluster`)).json()) as { leader: { id: string } | null; members: Array<{ instanceId: string; checkStatus: string; acting: boolean }> };
      return body.members.length === 3 && body.members.every((m) => m.checkStatus === 'passing') ? body : undefined;
    }, { timeoutMs: 20_000, what: 'three passing members in the cluster view' });
    expect(view.leader?.id).toBe(leader.instanceId);
    expect(view.members.filter((m) => m.acting).map((m) => m.instanceId)).toEqual([leader.instanceId]);
  });

  it('every a4c-ha command works with the a4c token from the config file: list, leader, history, watch', async () => {
    const leader = await oneActingLeader();
    const list = await cli(['list', ...config, '--format', 'json']);
    expect({ code: list.code, stderr: list.stderr }).toEqual({ code: 0, stderr: '' });
    expect((JSON.parse(list.stdout) as { members: unknown[] }).members).toHaveLength(3);
    const leaderRun = await cli(['leader', ...config]);
    expect({ code: leaderRun.code, out: leaderRun.stdout }).toEqual({ code: 0, out: expect.stringContaining(`${leader.instanceId} ${leader.url} term `) });
    const history = await cli(['history', ...config, '--format', 'json']);
    expect(history.code).toBe(0);
    expect((JSON.parse(history.stdout) as { unreachable: string[] }).unreachable).toEqual([]);
    const watch = await cli(['watch', ...config, '--interval-ms', '200', '--count', '1']);
    expect(watch.code).toBe(0);
    expect(watch.stdout.match(/ leader\s+yes /g)).toHaveLength(1);
  });

  it('switchover (step-down with a candidate) hands over to the chosen instance', async () => {
    const before = await oneActingLeader();
    const candidate = cluster.live().find((i) => i !== before)!;
    const run = await cli(['switchover', ...config, '--token', ADMIN_TOKEN, '--candidate', candidate.instanceId, '--format', 'json', '--timeout-ms', '30000']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect((JSON.parse(run.stdout) as { to: { instanceId: string } }).to.instanceId).toBe(candidate.instanceId);
    expect((await oneActingLeader()).instanceId).toBe(candidate.instanceId);
    expectNoDenial();
  });

  it('step-down without a candidate: another instance takes over', async () => {
    const before = await oneActingLeader();
    const response = await fetch(`${before.url}/rest/admin/ha/step-down`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBeLessThan(300);
    await waitUntil(async () => {
      const leaders = await cluster.leaders();
      return leaders.length === 1 && leaders[0] !== before;
    }, { timeoutMs: 40_000, intervalMs: 200, what: 'another acting leader after the step-down' });
    expectNoDenial();
  });

  it('consul-template with its own token renders the nginx sample with the leader as primary and the others as backups', async () => {
    const leader = await oneActingLeader();
    const { view, statuses } = await waitUntil(async () => {
      const read = await consulTemplateView(cluster.consul.url, PROXY_TOKEN);
      return read.view.services.a4c!.length === 3 && read.view.services.a4c!.every((s) => s.status === 'passing') ? read : undefined;
    }, { timeoutMs: 20_000, what: 'consul-template to see three passing instances' });
    expect(statuses).toEqual([200, 200]);
    const rendered = renderConsulTemplate(TEMPLATE, view);
    expect(rendered).toContain(`# leader: ${leader.instanceId} at 127.0.0.1:${leader.port}`);
    const upstream = /upstream a4c \{([^}]*)\}/.exec(rendered)![1]!;
    expect([...upstream.matchAll(/server (\S+) max_fails=1 fail_timeout=2s;/g)].map((m) => m[1])).toEqual([`127.0.0.1:${leader.port}`]);
    expect([...upstream.matchAll(/server (\S+) max_fails=1 fail_timeout=2s backup;/g)]).toHaveLength(2);
    // the proxy token is read-only: it cannot take the lock
    const write = await fetch(`${cluster.consul.url}/v1/kv/service/a4c/leader`, { method: 'PUT', body: 'x', headers: { 'X-Consul-Token': PROXY_TOKEN } });
    expect([write.status, await write.text()]).toEqual([403, expect.stringMatching(/^Permission denied: token with AccessorID '.+' lacks permission 'key:write' on "service\/a4c\/leader"$/)]);
  });

  it('failover: the leader killed (SIGKILL), a backup takes over and acts', async () => {
    const before = await oneActingLeader();
    before.signal('SIGKILL');
    await waitUntil(async () => {
      const leaders = await cluster.leaders();
      return leaders.length === 1 && leaders[0] !== before;
    }, { timeoutMs: 60_000, intervalMs: 200, what: 'a new acting leader after the SIGKILL' });
    expectNoDenial();
  });
});
