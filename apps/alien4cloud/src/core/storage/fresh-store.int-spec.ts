import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Fence, type HaContext } from '@a4c/ha';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeAllElasticsearchNodes, startElasticsearchNode, type ElasticsearchNode } from '../../../../../test/support/elasticsearch-node.js';
import { killAllSpawned } from '../../../../../test/support/spawned-process.js';
import { request, startCore, testConfig, type RunningCore } from '../../testing/core-test-app.js';
import { ElasticsearchDocumentStore } from './elasticsearch-document-store.js';

// A JVM start takes seconds (the first run may build the launcher with Maven).
const SLOW = 180_000;

interface Doc {
  id: string;
  kind?: string;
}

/** An activation's context as the HA host gives it: leading, at this fencing epoch. */
function leading(epoch: number): HaContext {
  return { instanceId: `leader-${epoch}`, term: epoch, since: new Date().toISOString(), signal: new AbortController().signal, isLeading: () => true, epoch };
}

/**
 * A store that was never written answers like an empty one (issue 20 item 0): on an Elasticsearch node
 * created for this suite, where no index exists before each test's first request.
 */
describe('a fresh Elasticsearch store (no index yet) answers like an empty one', () => {
  let node: ElasticsearchNode;
  const stores: ElasticsearchDocumentStore[] = [];
  const newStore = (indexPrefix: string, fence?: Fence) => {
    const store = ElasticsearchDocumentStore.fromConfig({ urls: [node.url], requestTimeoutInMillis: 10_000, indexPrefix }, fence);
    stores.push(store);
    return store;
  };
  const indices = async (): Promise<string[]> => {
    const response = await fetch(`${node.url}/_cat/indices?h=index&format=json`);
    return ((await response.json()) as { index: string }[]).map((row) => row.index).sort();
  };

  beforeAll(async () => {
    Logger.overrideLogger(false); // the store's log lines are not under test
    node = await startElasticsearchNode();
  }, SLOW);
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.onApplicationShutdown()));
    await disposeAllElasticsearchNodes();
    await killAllSpawned();
  }, SLOW);

  it('the first GET /rest/v1/applications on a node without any index answers 200 []', async () => {
    expect(await indices()).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'a4c-fresh-core-'));
    let core: RunningCore | undefined;
    try {
      core = await startCore(testConfig(dir, [`--elasticsearch.urls=${node.url}`, '--elasticsearch.indexPrefix=first-', '--orchestrators=[]']));
      const apps = `${core.url}/rest/v1/applications`;
      expect(await request('GET', apps)).toMatchObject({ status: 200, body: [] });
      expect((await request('GET', `${apps}/nothing`)).status).toBe(404);
      expect((await request('DELETE', `${apps}/nothing`)).status).toBe(404);
      expect(await request('GET', apps)).toMatchObject({ status: 200, body: [] });
    } finally {
      await core?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, SLOW);

  it.each([
    ['unfenced (HA off)', 'plain-', undefined],
    ['fenced (HA on, epoch 1)', 'fenced-', () => new Fence(leading(1))],
  ])('%s: list, filtered list, get, update and delete of a never-written collection answer empty, and leave it usable', async (_, prefix, fence) => {
    const store = newStore(prefix, fence?.());
    expect(await store.list<Doc>('never')).toEqual([]);
    expect(await store.list<Doc>('never', { filter: { kind: 'x' }, limit: 5 })).toEqual([]);
    expect(await store.get<Doc>('never', 'x')).toBeUndefined();
    expect(await store.update<Doc>('never', 'x', { kind: 'y' })).toBeUndefined();
    expect(await store.delete('never', 'x')).toBe(false);
    // a delete must not have let Elasticsearch auto-create the index with its own mappings (ids as
    // text cannot be sorted: every later list would fail)
    await store.put<Doc>('never', { id: 'b', kind: 'x y' });
    await store.put<Doc>('never', { id: 'a', kind: 'x' });
    expect(await store.list<Doc>('never')).toEqual([{ id: 'a', kind: 'x' }, { id: 'b', kind: 'x y' }]);
    expect(await store.list<Doc>('never', { filter: { kind: 'x' } })).toEqual([{ id: 'a', kind: 'x' }]);
  }, SLOW);

  it('reads racing the first write (which creates the index) never fail', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 8; round++) {
      const prefix = `race-${round}-`;
      const [writer, reader] = [newStore(prefix), newStore(prefix)];
      const reads: Promise<unknown>[] = [];
      const created = writer.create<Doc>('apps', { id: 'a' });
      // reads spread over the few milliseconds in which the index exists but its shard is not started
      for (let n = 0; n < 12; n++) {
        const later = new Promise((resolve) => setTimeout(resolve, n * 3));
        reads.push(later.then(() => reader.list('apps')), later.then(() => reader.get('apps', 'a')), later.then(() => reader.get('apps', 'other')));
      }
      await created;
      for (const outcome of await Promise.allSettled(reads)) {
        if (outcome.status === 'rejected') failures.push(`round ${round}: ${String(outcome.reason)}`);
      }
    }
    expect(failures).toEqual([]);
  }, SLOW);
});
