import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { A4cCluster, type A4cInstance } from '../support/a4c-cluster.js';
import { disposeAllElasticsearchNodes, startElasticsearchNode, type ElasticsearchNode } from '../support/elasticsearch-node.js';
import { killAllSpawned } from '../support/spawned-process.js';
import { waitUntil } from '../support/wait-until.js';

jest.setTimeout(90_000);

/** Polls fast until `probe` holds and says how long it took from `since`. */
async function msUntil(since: number, probe: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<number> {
  await waitUntil(async () => (await probe()) || undefined, { timeoutMs, intervalMs: 20, what });
  return Date.now() - since;
}

async function servesApplications(instance: A4cInstance): Promise<boolean> {
  const response = await fetch(`${instance.url}/rest/v1/applications`).catch(() => undefined);
  return response?.status === 200;
}

describe('HA across real processes (consul-dev + two A4C servers from dist/)', () => {
  let cluster: A4cCluster | undefined;

  beforeAll(() => {
    if (!existsSync(join('dist', 'apps', 'alien4cloud', 'main.js'))) throw new Error('run `npm run build` first');
  });
  afterEach(async () => {
    await cluster?.stop().catch(() => undefined);
    cluster = undefined;
    await killAllSpawned();
  });

  async function twoInstances(): Promise<{ leader: A4cInstance; backup: A4cInstance }> {
    cluster = await A4cCluster.start({ healthCheckPeriodInSecond: 1 });
    await cluster.addInstance();
    await cluster.addInstance();
    const [leader] = await waitUntil(async () => {
      const leaders = await cluster!.leaders();
      return leaders.length === 1 ? leaders : undefined;
    }, { timeoutMs: 30_000, what: 'one leader' });
    const backup = cluster.instances.find((i) => i !== leader)!;
    // the backup has a session and watches the key before we start hurting the leader
    await waitUntil(async () => (await backup.status()).leader?.id === (await leader!.status()).instanceId, { timeoutMs: 15_000, what: 'backup sees the leader' });
    return { leader: leader!, backup };
  }

  it('two servers against one consul-dev elect exactly one leader; the backup runs no orchestrator tick', async () => {
    const { leader, backup } = await twoInstances();
    expect((await leader.status()).role).toBe('leader');
    expect((await backup.status()).role).toBe('backup');
    const leaderId = (await leader.status()).instanceId;
    // the backup serves nothing itself: it forwards to the acting leader, which answers
    const viaBackup = await fetch(`${backup.url}/rest/v1/applications`);
    expect({ status: viaBackup.status, servedBy: viaBackup.headers.get('x-a4c-served-by'), forwardedBy: viaBackup.headers.get('x-a4c-forwarded-by') }).toEqual({
      status: 200,
      servedBy: leaderId,
      forwardedBy: (await backup.status()).instanceId,
    });
    const heartbeats = join(cluster!.dir, 'shared', 'store');
    // sample the shared heartbeat for a while: only the leader's pollers ever write it
    const seen = new Set<string>();
    const until = Date.now() + 1_500;
    await waitUntil(() => {
      for (const file of findFiles(heartbeats, 'local.json')) seen.add(JSON.parse(readFileSync(file, 'utf8')).instanceId);
      return Date.now() > until || undefined;
    }, { intervalMs: 50, what: 'heartbeat sampling' });
    expect([...seen]).toEqual([leaderId]);
    expect(backup.process.output()).not.toContain('started pollers');
    expect(await cluster!.leaders()).toEqual([leader]);
  });

  it('SIGKILL of the leader: the other serves /rest/v1/applications within 2 x healthCheckPeriod + 1 s', async () => {
    const { leader, backup } = await twoInstances();
    const created = await fetch(`${leader.url}/rest/v1/applications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'survivor' }) });
    expect(created.status).toBe(201);
    const killedAt = Date.now();
    await leader.process.stop('SIGKILL');
    const elapsed = await msUntil(killedAt, () => servesApplications(backup), 'the backup serving');
    process.stdout.write(`failover after SIGKILL: ${elapsed} ms (bound 3000 ms)\n`);
    expect(elapsed).toBeLessThan(2 * 1_000 + 1_000);
    const listed = (await (await fetch(`${backup.url}/rest/v1/applications`)).json()) as { name: string }[];
    expect(listed.map((a) => a.name)).toContain('survivor');
    expect((await backup.status()).term).toBe(2);
  });

  it('SIGTERM of the leader hands over in under 1 s, and the old leader exits 0', async () => {
    const { leader, backup } = await twoInstances();
    const sentAt = Date.now();
    leader.process.signal('SIGTERM');
    const elapsed = await msUntil(sentAt, () => backup.isActiveLeader(), 'handover');
    process.stdout.write(`handover after SIGTERM: ${elapsed} ms (bound 1000 ms)\n`);
    expect(elapsed).toBeLessThan(1_000);
    expect(await leader.process.exited()).toBe(0);
    expect(leader.process.output()).toMatch(/leader -> deactivating: shutdown requested/);
  });

});

describe('shutdown under keep-alive traffic (Elasticsearch-backed, so health checks take a moment)', () => {
  let es: ElasticsearchNode;
  let cluster: A4cCluster | undefined;
  beforeAll(async () => {
    es = await startElasticsearchNode();
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop().catch(() => undefined);
    await killAllSpawned();
    await disposeAllElasticsearchNodes();
  });

  it('SIGTERM exits promptly even while a client keeps its keep-alive connection busy', async () => {
    cluster = await A4cCluster.start({ healthCheckPeriodInSecond: 1, elasticsearchUrl: es.url, indexPrefix: 'keepalive-', pollIntervalInMillis: 100 });
    await cluster.addInstance();
    await cluster.addInstance();
    const [leader] = await waitUntil(async () => {
      const leaders = await cluster!.leaders();
      return leaders.length === 1 ? leaders : undefined;
    }, { timeoutMs: 30_000, what: 'a leader' });
    let stop = false;
    // a status poller on one kept-alive connection: without forced closing, the HTTP server waits for
    // that connection to go idle, which it never does, and the process never exits
    const poller = (async () => {
      while (!stop) await fetch(`${leader!.url}/rest/admin/health`).catch(() => (stop = true));
    })();
    const warmUntil = Date.now() + 1_500; // let the connection settle into its request-after-request rhythm
    await waitUntil(() => Date.now() > warmUntil || undefined, { what: 'poller warmed up' });
    const sentAt = Date.now();
    leader!.process.signal('SIGTERM');
    const deadline = new AbortController();
    const code = await Promise.race([
      leader!.process.exited(),
      sleep(10_000, 'still running', { signal: deadline.signal }).catch(() => 'aborted'),
    ]);
    deadline.abort();
    stop = true;
    await poller;
    const elapsed = Date.now() - sentAt;
    process.stdout.write(`exit after SIGTERM under keep-alive traffic: ${elapsed} ms (bound 3000 ms)\n`);
    expect(code).toBe(0);
    // graph close (a poller's last write waits for Elasticsearch's refresh, ≤ 1 s) + release + destroy +
    // deregister, with room for a loaded machine; a server waiting on the busy connection takes far longer
    expect(elapsed).toBeLessThan(3_000);
  });
});

function findFiles(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name === name)
    .map((entry) => join(entry.parentPath, entry.name));
}
