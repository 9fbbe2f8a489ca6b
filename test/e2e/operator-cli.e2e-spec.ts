import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { A4cCluster, type A4cInstance } from '../support/a4c-cluster.js';
import { freePort } from '../support/free-port.js';
import { killAllSpawned } from '../support/spawned-process.js';
import { waitUntil } from '../support/wait-until.js';

// The a4c-ha CLI (libs/ha/bin/a4c-ha.mjs, the package's bin, which runs libs/ha/dist/cli/main.js) against a real 3-instance cluster on
// consul-dev: it finds Consul in the cluster's own config file, like the servers.
jest.setTimeout(90_000);

const CLI = join(process.cwd(), 'libs', 'ha', 'bin', 'a4c-ha.mjs');
const ADMIN_TOKEN = 'operator-cli-e2e-token';
/** Fast checks; a TTL that leaves room for the drain and close bounds in the renew deadline. */
const CLUSTER_TIMINGS = { healthCheckPeriodInSecond: 1, consulSessionTTLInSecond: 15, drainTimeoutInMillis: 2_000 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 40_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

interface Snapshot {
  leader: { id: string; term: number } | null;
  members: { instanceId: string; url: string; checkStatus: string; role: string | null; acting: boolean | null; term: number | null; leaseProvenAgoSeconds: number | null }[];
}

describe('a4c-ha CLI against a 3-instance cluster', () => {
  let cluster: A4cCluster;
  let config: string[];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('run `npm run build` first');
    cluster = await A4cCluster.start(CLUSTER_TIMINGS);
    await Promise.all([0, 1, 2].map(() => cluster.addInstance({ args: [`--ha.adminToken=${ADMIN_TOKEN}`] })));
    config = ['--config', join(cluster.dir, 'a4c.yml')];
    // every check passing and one leader acting: the state the commands below describe
    await waitUntil(async () => {
      const run = await cli(['list', ...config, '--format', 'json']);
      const snapshot = JSON.parse(run.stdout) as Snapshot;
      return snapshot.members.length === 3 && snapshot.members.every((m) => m.checkStatus === 'passing') && snapshot.members.filter((m) => m.acting).length === 1;
    }, { timeoutMs: 30_000, intervalMs: 250, what: 'three passing members and one acting leader' });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop().catch(() => undefined);
    await killAllSpawned();
  });

  it('list: one row per instance with role, acting, term, health and lease age; JSON the same', async () => {
    const json = await cli(['list', ...config, '--format', 'json']);
    expect(json.code).toBe(0);
    const snapshot = JSON.parse(json.stdout) as Snapshot;
    const ids = cluster.instances.map((i) => i.instanceId).sort();
    expect(snapshot.members.map((m) => m.instanceId)).toEqual(ids);
    const [acting] = snapshot.members.filter((m) => m.acting);
    expect(snapshot.leader?.id).toBe(acting!.instanceId);
    expect(acting).toEqual(expect.objectContaining({ role: 'leader', checkStatus: 'passing', term: snapshot.leader!.term }));
    expect(acting!.leaseProvenAgoSeconds).toEqual(expect.any(Number));
    for (const backup of snapshot.members.filter((m) => !m.acting)) expect(backup).toEqual(expect.objectContaining({ role: 'backup', acting: false, leaseProvenAgoSeconds: null }));

    const table = await cli(['list', ...config]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^INSTANCE\s+URL\s+ROLE\s+ACTING\s+TERM\s+HEALTH\s+LOCK PROVEN$/);
    expect(lines.filter((l) => / leader\s+yes\s+\d+\s+passing\s+\d+\.\d+s ago$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => / backup\s+no\s+-\s+passing\s+-$/.test(l))).toHaveLength(2);
    process.stdout.write(`[e2e] a4c-ha list:\n${table.stdout}`);
  });

  it('the cluster route of any instance lists the same members (Consul catalog + each member)', async () => {
    const backup = await backupInstance();
    const view = (await (await fetch(`${backup.url}/rest/admin/ha/cluster`)).json()) as Snapshot;
    expect(view.members.map((m) => [m.instanceId, m.url, m.checkStatus]).sort()).toEqual(cluster.instances.map((i) => [i.instanceId, i.url, 'passing']).sort());
    expect(view.members.filter((m) => m.acting).map((m) => m.instanceId)).toEqual([view.leader!.id]);
  });

  it('leader: the acting instance, exit 0; JSON too', async () => {
    const [leader] = await cluster.leaders();
    const text = await cli(['leader', ...config]);
    expect({ code: text.code, out: text.stdout }).toEqual({ code: 0, out: expect.stringContaining(`${leader!.instanceId} ${leader!.url} term `) });
    const json = await cli(['leader', ...config, '--format', 'json']);
    expect((JSON.parse(json.stdout) as { acting: { instanceId: string }[] }).acting.map((a) => a.instanceId)).toEqual([leader!.instanceId]);
  });

  it('switchover: refused with the server reason for an unknown candidate; then hands over to the chosen candidate', async () => {
    const [before] = await cluster.leaders();
    const refused = await cli(['switchover', ...config, '--token', ADMIN_TOKEN, '--candidate', 'no-such-instance']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^a4c-ha: candidate no-such-instance is unknown: Consul lists .+\n$/);
    const direct = await fetch(`${before!.url}/rest/admin/ha/step-down?candidate=no-such-instance`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(direct.status).toBe(409);
    expect(((await direct.json()) as { message: string }).message).toMatch(/^candidate no-such-instance is unknown: Consul lists /);
    expect((await cluster.leaders()).map((l) => l.port)).toEqual([before!.port]);

    const noToken = await cli(['switchover', ...config]);
    expect({ code: noToken.code, stderr: noToken.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/^a4c-ha: step-down refused by \S+ \(401\): step-down needs the admin token/) });
    // a chosen candidate (the last backup Consul lists): the other backup stands back, so it is that one
    const view = (await (await fetch(`${before!.url}/rest/admin/ha/cluster`)).json()) as { members: { instanceId: string }[] };
    const candidate = view.members.map((m) => m.instanceId).filter((id) => id !== before!.instanceId).at(-1)!;
    const run = await cli(['switchover', ...config, '--token', ADMIN_TOKEN, '--candidate', candidate, '--format', 'json', '--timeout-ms', '20000']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(run.stdout) as { from: { instanceId: string }; to: { instanceId: string }; tookMs: number };
    expect(result.from.instanceId).toBe(before!.instanceId);
    expect(result.to.instanceId).toBe(candidate);
    process.stdout.write(`[e2e] a4c-ha switchover: ${result.from.instanceId} -> ${result.to.instanceId} in ${result.tookMs} ms\n`);
    expect((await cluster.leaders()).map((l) => l.instanceId)).toEqual([result.to.instanceId]);
  });

  it('history: the transitions of every instance, oldest first, including the switchover', async () => {
    const run = await cli(['history', ...config, '--format', 'json']);
    expect(run.code).toBe(0);
    const { transitions, unreachable } = JSON.parse(run.stdout) as { transitions: { at: string; instanceId: string; from: string; to: string; reason: string }[]; unreachable: string[] };
    expect(unreachable).toEqual([]);
    expect(transitions.map((t) => t.at)).toEqual([...transitions.map((t) => t.at)].sort());
    const becameLeader = transitions.filter((t) => t.to === 'leader').map((t) => t.instanceId);
    expect(new Set(becameLeader).size).toBeGreaterThanOrEqual(2); // the first leader and its successor
    expect(transitions.some((t) => t.from === 'leader' && t.to === 'deactivating')).toBe(true);
    const table = await cli(['history', ...config]);
    expect(table.stdout.split('\n')[0]).toMatch(/^TIME\s+INSTANCE\s+TRANSITION\s+TERM\s+REASON$/);
  });

  it('watch --count 2 redraws twice; --help on a command; the environment override reaches Consul too', async () => {
    const consulPort = String(cluster.consul.port);
    const run = await cli(['watch', '--interval-ms', '200', '--count', '2'], { A4C_ha__consulAgentPort: consulPort, A4C_ha__consulAgentIp: '127.0.0.1' });
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^INSTANCE /gm)).toHaveLength(2);
    const help = await cli(['switchover', '--help']);
    expect({ code: help.code, out: help.stdout }).toEqual({ code: 0, out: expect.stringMatching(/^a4c-ha switchover \[--candidate ID\]/) });
  });

  it('a bad flag or an unreachable Consul: one line on stderr and a non-zero exit (2 for usage)', async () => {
    const bad = await cli(['list', '--bogus']);
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'a4c-ha: unknown flag --bogus for list\n' });
    const badValue = await cli(['list', '--ha.consulAgentPort=abc']);
    expect(badValue).toEqual({ code: 2, stdout: '', stderr: 'a4c-ha: ha.consulAgentPort: expected an integer 1-65535, got "abc"\n' });
    const port = await freePort(); // nothing listens there
    const down = await cli(['list', '--consul', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stdout).toBe('');
    expect(down.stderr).toMatch(new RegExp(`^a4c-ha: cannot reach Consul at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\\n$`));
  });

  async function backupInstance(): Promise<A4cInstance> {
    const leaders = new Set((await cluster.leaders()).map((l) => l.port));
    return cluster.instances.find((i) => !leaders.has(i.port))!;
  }
});
