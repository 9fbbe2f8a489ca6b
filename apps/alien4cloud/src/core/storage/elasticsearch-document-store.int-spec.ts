import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  disposeAllElasticsearchNodes, startElasticsearchNode, waitForClusterStatus, type ElasticsearchNode,
} from '../../../../../test/support/elasticsearch-node.js';
import { killAllSpawned } from '../../../../../test/support/spawned-process.js';
import { request, startCore, testConfig, type RunningCore } from '../../testing/core-test-app.js';
import { ElasticsearchDocumentStore } from './elasticsearch-document-store.js';
import { DuplicateError } from './store.error.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A JVM start takes seconds (the first run may build the launcher with Maven).
const SLOW = 180_000;

interface Doc {
  id: string;
  kind?: string;
  n?: number;
}

describe('ElasticsearchDocumentStore against a real Elasticsearch 8.19 node', () => {
  let node: ElasticsearchNode;
  const stores: ElasticsearchDocumentStore[] = [];
  const newStore = (indexPrefix = 'a4c-it-') => {
    const store = ElasticsearchDocumentStore.fromConfig({ urls: [node.url], requestTimeoutInMillis: 10_000, indexPrefix });
    stores.push(store);
    return store;
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

  it('creates, gets, lists, replaces and deletes documents', async () => {
    const store = newStore();
    await store.create<Doc>('crud', { id: 'b', n: 1 });
    await store.create<Doc>('crud', { id: 'a', n: 2 });
    expect(await store.get<Doc>('crud', 'b')).toEqual({ id: 'b', n: 1 });
    expect(await store.list<Doc>('crud')).toEqual([{ id: 'a', n: 2 }, { id: 'b', n: 1 }]);
    await store.put<Doc>('crud', { id: 'b', n: 3 });
    expect(await store.get<Doc>('crud', 'b')).toEqual({ id: 'b', n: 3 });
    expect(await store.delete('crud', 'b')).toBe(true);
    expect(await store.delete('crud', 'b')).toBe(false);
    expect(await store.get('crud', 'b')).toBeUndefined();
    expect(await store.list<Doc>('crud')).toEqual([{ id: 'a', n: 2 }]);
  }, SLOW);

  it('a list hitting an index whose primary shard is still starting waits for it instead of failing', async () => {
    const store = newStore('a4c-starting-');
    const index = 'a4c-starting-late';
    // what another instance's index creation looks like for a moment: the index exists, its shard does not run
    const created = await fetch(`${node.url}/${index}?wait_for_active_shards=0`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0, 'index.routing.allocation.require._name': 'nowhere' } }),
    });
    expect(created.status).toBe(200);
    const listing = store.list('late');
    await new Promise((resolve) => setImmediate(resolve));
    // the shard may start now: lift the allocation filter while the list is waiting
    await fetch(`${node.url}/${index}/_settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'index.routing.allocation.require._name': null }),
    });
    expect(await listing).toEqual([]);
    await fetch(`${node.url}/${index}`, { method: 'DELETE' });
  }, SLOW);

  it('answers empty for a collection (index) never written', async () => {
    const store = newStore();
    expect(await store.list('never')).toEqual([]);
    expect(await store.get('never', 'x')).toBeUndefined();
    expect(await store.delete('never', 'x')).toBe(false);
  }, SLOW);

  it('refuses duplicates with a DuplicateError, also between racing clients', async () => {
    const [one, two] = [newStore(), newStore()];
    await one.create<Doc>('dups', { id: 'a', n: 1 });
    await expect(two.create<Doc>('dups', { id: 'a', n: 2 })).rejects.toEqual(new DuplicateError('dups', 'a'));
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => (n % 2 ? one : two).create<Doc>('dups', { id: 'race', n })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.every((o) => o.status === 'fulfilled' || o.reason instanceof DuplicateError)).toBe(true);
  }, SLOW);

  it('filters exactly on string fields and limits, ordered by id', async () => {
    const store = newStore();
    for (const [id, kind] of [['d', 'x'], ['a', 'x'], ['b', 'x y'], ['c', 'x']]) await store.put<Doc>('filters', { id, kind });
    expect((await store.list<Doc>('filters', { filter: { kind: 'x' } })).map((d) => d.id)).toEqual(['a', 'c', 'd']);
    expect((await store.list<Doc>('filters', { filter: { kind: 'x' }, limit: 2 })).map((d) => d.id)).toEqual(['a', 'c']);
  }, SLOW);

  it('makes an acknowledged write visible to another client at once (the next leader)', async () => {
    const [writer, reader] = [newStore(), newStore()];
    for (let n = 0; n < 5; n++) {
      await writer.put<Doc>('visible', { id: `doc-${n}`, n });
      expect((await reader.list<Doc>('visible')).map((d) => d.id)).toContain(`doc-${n}`);
    }
    await writer.delete('visible', 'doc-0');
    expect((await reader.list<Doc>('visible')).map((d) => d.id)).not.toContain('doc-0');
  }, SLOW);

  it('serves the applications REST API from Elasticsearch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a4c-es-core-'));
    let core: RunningCore | undefined;
    try {
      core = await startCore(testConfig(dir, [`--elasticsearch.urls=${node.url}`, '--elasticsearch.indexPrefix=a4c-core-', '--orchestrators=[]']));
      const apps = `${core.url}/rest/v1/applications`;
      expect((await request('POST', apps, { name: 'On ES' })).status).toBe(201);
      expect((await request('POST', apps, { name: 'on es' })).status).toBe(409);
      expect((await request('GET', apps)).body).toEqual([expect.objectContaining({ id: 'on-es', name: 'On ES' })]);
      expect((await request('DELETE', `${apps}/on-es`)).status).toBe(204);
    } finally {
      await core?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, SLOW);

  it('keeps acknowledged writes across a node restart', async () => {
    const store = newStore();
    await store.create<Doc>('restart', { id: 'kept', n: 1 });
    await store.put<Doc>('restart', { id: 'kept-too', n: 2 });
    await node.restart();
    await waitForClusterStatus(node.url, ['green', 'yellow'], 60_000);
    const after = newStore();
    expect(await after.list<Doc>('restart')).toEqual([{ id: 'kept', n: 1 }, { id: 'kept-too', n: 2 }]);
    await expect(after.create<Doc>('restart', { id: 'kept' })).rejects.toBeInstanceOf(DuplicateError);
  }, SLOW);
});
