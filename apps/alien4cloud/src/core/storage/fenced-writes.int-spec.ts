import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@elastic/elasticsearch';
import { Logger } from '@nestjs/common';
import { Fence, FencedWriteError, type HaContext } from '@a4c/ha';
import {
  disposeAllElasticsearchNodes, startElasticsearchNode, waitForClusterStatus, type ElasticsearchNode,
} from '../../../../../test/support/elasticsearch-node.js';
import { killAllSpawned } from '../../../../../test/support/spawned-process.js';
import { ElasticsearchDocumentStore } from './elasticsearch-document-store.js';
import { elasticsearchFencing, nextEpoch } from './elasticsearch-epoch-source.js';

// A JVM start takes seconds (the first run may build the launcher with Maven).
const SLOW = 180_000;
const PREFIX = 'a4c-fenced-';

interface Note {
  id: string;
  text: string;
  by?: string;
}

/** One activation as the HA host makes it: a term whose isLeading() the test controls. */
function activation(epoch: number) {
  const state = { leading: true };
  const controller = new AbortController();
  const context: HaContext = { instanceId: `leader-${epoch}`, term: epoch, since: new Date().toISOString(), signal: controller.signal, isLeading: () => state.leading, epoch };
  return { context, depose: () => (state.leading = false), end: () => controller.abort() };
}

describe('fenced writes against a real Elasticsearch 8.19 node', () => {
  let node: ElasticsearchNode;
  const clients: Client[] = [];
  const stores: ElasticsearchDocumentStore[] = [];
  const client = () => {
    const c = new Client({ node: node.url });
    clients.push(c);
    return c;
  };
  const storeAt = (context: HaContext) => {
    const store = ElasticsearchDocumentStore.fromConfig({ urls: [node.url], requestTimeoutInMillis: 10_000, indexPrefix: PREFIX }, new Fence(context));
    stores.push(store);
    return store;
  };
  const fencing = () => elasticsearchFencing({ urls: [node.url], requestTimeoutInMillis: 10_000, indexPrefix: PREFIX });

  beforeAll(async () => {
    Logger.overrideLogger(false); // the store's log lines are not under test
    node = await startElasticsearchNode();
  }, SLOW);
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.onApplicationShutdown()));
    await Promise.all(clients.map((c) => c.close()));
    await disposeAllElasticsearchNodes();
    await killAllSpawned();
  }, SLOW);

  it('refuses the older epoch\'s overwrite, update, delete and create of a document the newer one wrote, and keeps the older\'s earlier writes', async () => {
    const source = fencing();
    const olderEpoch = await source.obtainEpoch({ instanceId: 'a', term: 1 });
    const older = storeAt(activation(olderEpoch).context);
    await older.create<Note>('notes', { id: 'own', text: 'older, before the newer acted' });
    await older.put<Note>('notes', { id: 'shared', text: 'older, first' });
    await older.put<Note>('notes', { id: 'own-too', text: 'older' });

    const newerEpoch = await source.obtainEpoch({ instanceId: 'b', term: 2 });
    expect(newerEpoch).toBe(olderEpoch + 1);
    const newer = storeAt(activation(newerEpoch).context);
    await newer.put<Note>('notes', { id: 'shared', text: 'newer' });
    await newer.put<Note>('notes', { id: 'created-by-newer', text: 'newer' });

    // the older one still believes it leads (paused between its check and its writes): Elasticsearch refuses
    const superseded = { name: 'FencedWriteError', reason: 'superseded', epoch: olderEpoch, newerEpoch };
    await expect(older.put<Note>('notes', { id: 'shared', text: 'older, late' })).rejects.toMatchObject(superseded);
    await expect(older.update<Note>('notes', 'shared', { text: 'older, late update' })).rejects.toMatchObject(superseded);
    await expect(older.delete('notes', 'shared')).rejects.toMatchObject(superseded);
    await expect(older.create<Note>('notes', { id: 'created-by-newer', text: 'older, late create' })).rejects.toMatchObject(superseded);

    const reader = storeAt(activation(newerEpoch).context);
    expect(await reader.list<Note>('notes')).toEqual([
      { id: 'created-by-newer', text: 'newer' },
      { id: 'own', text: 'older, before the newer acted' },
      { id: 'own-too', text: 'older' },
      { id: 'shared', text: 'newer' },
    ]);
    // the newer one goes on writing, updating and deleting what the older wrote
    expect(await newer.update<Note>('notes', 'own-too', { text: 'newer took it over' })).toEqual({ id: 'own-too', text: 'newer took it over' });
    await expect(older.put<Note>('notes', { id: 'own-too', text: 'older, late' })).rejects.toBeInstanceOf(FencedWriteError);
    expect(await newer.delete('notes', 'shared')).toBe(true);
    // within Elasticsearch's delete-tombstone window the delete fences too
    await expect(older.put<Note>('notes', { id: 'shared', text: 'older, resurrecting' })).rejects.toMatchObject(superseded);
    expect(await reader.get<Note>('notes', 'shared')).toBeUndefined();
  }, SLOW);

  it('refuses a write before it leaves the process once the instance stopped acting', async () => {
    const epoch = await fencing().obtainEpoch({ instanceId: 'a', term: 1 });
    const term = activation(epoch);
    const store = storeAt(term.context);
    await store.put<Note>('stopped', { id: 'before', text: 'acting' });
    term.depose(); // a lapsed lease, a freeze: isLeading() false
    await expect(store.put<Note>('stopped', { id: 'after', text: 'deposed' })).rejects.toMatchObject({ reason: 'not-leading', epoch });
    await expect(store.delete('stopped', 'before')).rejects.toMatchObject({ reason: 'not-leading' });
    await expect(store.create<Note>('stopped', { id: 'after', text: 'deposed' })).rejects.toMatchObject({ reason: 'not-leading' });
    const reader = storeAt(activation(epoch).context);
    expect(await reader.list<Note>('stopped')).toEqual([{ id: 'before', text: 'acting' }]);
  }, SLOW);

  it('lets one leader\'s own concurrent writes to one document all succeed (no false fence)', async () => {
    const store = storeAt(activation(await fencing().obtainEpoch({ instanceId: 'a', term: 1 })).context);
    const writes = Array.from({ length: 20 }, (_, n) => store.put<Note>('busy', { id: 'one', text: `write ${n}` }));
    await expect(Promise.all(writes)).resolves.toHaveLength(20);
    expect((await store.get<Note>('busy', 'one'))?.text).toMatch(/^write \d+$/);
  }, SLOW);

  it('hands out strictly increasing epochs across sequential and concurrent activations, whatever the Consul term', async () => {
    const index = `${PREFIX}epochs-_fence`;
    const c = client();
    const sequential: number[] = [];
    for (let n = 0; n < 20; n++) sequential.push(await nextEpoch(c, index, { instanceId: 'seq', term: n + 1 }));
    expect(sequential).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));

    // ten instances activating at once (each with its own client, as in production): all different
    const concurrent = await Promise.all(Array.from({ length: 10 }, (_, n) => nextEpoch(client(), index, { instanceId: `c${n}`, term: 21 })));
    expect([...concurrent].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, n) => 21 + n));

    // a consul-dev reset: LockIndex starts again at 1, the epoch does not
    const afterReset = await nextEpoch(c, index, { instanceId: 'seq', term: 1 });
    expect(afterReset).toBe(31);
  }, SLOW);

  it('keeps growing across an Elasticsearch restart, and the fence on stored documents survives it', async () => {
    const source = fencing();
    const older = storeAt(activation(await source.obtainEpoch({ instanceId: 'a', term: 1 })).context);
    const newerEpoch = await source.obtainEpoch({ instanceId: 'b', term: 2 });
    await storeAt(activation(newerEpoch).context).put<Note>('restart', { id: 'doc', text: 'newer' });

    await node.restart();
    await waitForClusterStatus(node.url, ['green', 'yellow'], 60_000);

    expect(await source.obtainEpoch({ instanceId: 'c', term: 1 })).toBe(newerEpoch + 1);
    await expect(older.put<Note>('restart', { id: 'doc', text: 'older, late' })).rejects.toMatchObject({ reason: 'superseded', newerEpoch });
    expect(await storeAt(activation(newerEpoch + 1).context).get<Note>('restart', 'doc')).toEqual({ id: 'doc', text: 'newer' });
  }, SLOW);
});
