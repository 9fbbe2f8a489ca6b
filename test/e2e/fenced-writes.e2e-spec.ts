import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { A4cCluster, type A4cInstance } from '../support/a4c-cluster.js';
import { disposeAllElasticsearchNodes, startElasticsearchNode, type ElasticsearchNode } from '../support/elasticsearch-node.js';
import { killAllSpawned } from '../support/spawned-process.js';
import { waitUntil } from '../support/wait-until.js';

// The server with the late-write test plugin (apps/alien4cloud/src/testing/late-write-server.ts), built
// by `npm run build:test` into the test-only output: the production dist/ has no such plugin.
const LATE_WRITE_SERVER = join(process.cwd(), 'dist-test', 'apps', 'alien4cloud', 'src', 'testing', 'late-write-server.js');

// Elasticsearch start (~15 s) + two instances + one failover: well under the 2 min budget.
jest.setTimeout(120_000);

interface Status {
  role: string;
  instanceId: string;
  term: number;
  epoch: number;
  sessionId: string | null;
}

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(90_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

const status = async (instance: A4cInstance) => (await (await fetch(`${instance.url}/rest/admin/ha`)).json()) as Status;
const notes = (instance: A4cInstance, id: string) => `${instance.url}/rest/v1/test-plugin/notes/${id}`;

describe('fenced writes: a deposed leader\'s late write is refused by Elasticsearch (real processes)', () => {
  let es: ElasticsearchNode;
  let cluster: A4cCluster | undefined;

  beforeAll(async () => {
    if (!existsSync(LATE_WRITE_SERVER)) throw new Error('run `npm run build && npm run build:test` first');
    es = await startElasticsearchNode();
  }, 180_000);
  afterEach(async () => {
    await cluster?.stop().catch(() => undefined);
    cluster = undefined;
  });
  afterAll(async () => {
    await killAllSpawned();
    await disposeAllElasticsearchNodes();
  });

  it('the successor\'s document keeps its content, the late write gets 503, nothing acknowledged is lost', async () => {
    // a drain long enough that the deposed leader's graph stays up while its request is parked (the
    // takeover below takes about a second); the session TTL must leave room for that drain
    cluster = await A4cCluster.start({
      entry: LATE_WRITE_SERVER,
      elasticsearchUrl: es.url,
      indexPrefix: 'a4c-fenced-e2e-',
      healthCheckPeriodInSecond: 1,
      consulSessionTTLInSecond: 40,
      drainTimeoutInMillis: 15_000,
    });
    const pluginDir = join(cluster.sharedDir, 'plugins', 'late-write');
    mkdirSync(pluginDir, { recursive: true });
    writeFileSync(join(pluginDir, 'plugin.json'), JSON.stringify({ id: 'a4c-test-late-write', name: 'Late write (test)', version: '1.0.0' }));
    await cluster.addInstance();
    await cluster.addInstance();
    const [old] = await waitUntil(async () => {
      const leaders = await cluster!.leaders();
      return leaders.length === 1 ? leaders : undefined;
    }, { timeoutMs: 30_000, what: 'one acting leader' });
    const successor = cluster.instances.find((i) => i !== old)!;
    const oldStatus = await status(old!);
    expect(oldStatus.epoch).toBeGreaterThan(0);
    await waitUntil(async () => (await status(successor)).role === 'backup' || undefined, { timeoutMs: 15_000, what: 'the other instance in backup' });

    // acknowledged writes of the old leader, at its epoch
    const acknowledged: string[] = [];
    for (let n = 0; n < 5; n++) {
      const written = await call('PUT', notes(old!, `kept-${n}`), { text: `old ${n}` });
      expect(written).toMatchObject({ status: 200, body: { by: oldStatus.instanceId, epoch: oldStatus.epoch } });
      acknowledged.push(`kept-${n}`);
    }
    expect((await call('PUT', notes(old!, 'contested'), { text: 'old, first' })).status).toBe(200);

    // the late write: leadership checked, then parked before the write leaves
    const late = call('PUT', `${notes(old!, 'contested')}?pauseUntil=late-1`, { text: 'old, late' });
    const pauseDir = join(cluster.sharedDir, 'test-plugin');
    await waitUntil(() => existsSync(join(pauseDir, 'late-1.checked')) || undefined, { timeoutMs: 10_000, intervalMs: 20, what: 'the late write to pass its check' });

    // depose it: an operator destroys its session (the lock is free at once), the other one takes over
    expect(oldStatus.sessionId).toBeTruthy();
    const destroyed = await fetch(`${cluster.consul.url}/v1/session/destroy/${oldStatus.sessionId}`, { method: 'PUT' });
    expect(destroyed.status).toBe(200);
    await waitUntil(() => successor.isActiveLeader().then((acting) => acting || undefined), { timeoutMs: 20_000, intervalMs: 50, what: 'the successor acting' });
    const successorStatus = await status(successor);
    expect(successorStatus.epoch).toBeGreaterThan(oldStatus.epoch);
    const overwritten = await call('PUT', notes(successor, 'contested'), { text: 'successor' });
    expect(overwritten).toMatchObject({ status: 200, body: { by: successorStatus.instanceId, epoch: successorStatus.epoch } });

    // let the late write go: it really leaves the old process, and Elasticsearch refuses it
    writeFileSync(join(pauseDir, 'late-1.go'), '');
    const refused = await late;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      reason: `not the acting leader any more: put test-notes/contested refused: written by a newer leader (epoch ${successorStatus.epoch} > ${oldStatus.epoch})`,
    });
    expect(old!.process.output()).toContain('late write of contested: leadership checked');

    // the successor's content stands; everything the old leader acknowledged is still there
    expect((await call('GET', notes(successor, 'contested'))).body).toEqual({ id: 'contested', text: 'successor', by: successorStatus.instanceId, epoch: successorStatus.epoch });
    for (const id of acknowledged) {
      expect(await call('GET', notes(successor, id))).toMatchObject({ status: 200, body: { id, by: oldStatus.instanceId, epoch: oldStatus.epoch } });
    }
  });
});
