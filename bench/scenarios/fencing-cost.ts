// `npm run bench:fencing`: what fencing costs (docs/architecture.md § Fencing) against a real
// Elasticsearch 8.19 node on this machine: the extra latency of a fenced write (external version from
// the epoch) over an unfenced one, and the time an activation spends obtaining its epoch.
import { Client } from '@elastic/elasticsearch';
import { Logger } from '@nestjs/common';
import { Fence, type HaContext } from '@a4c/ha';
import { ElasticsearchDocumentStore } from '../../apps/alien4cloud/src/core/storage/elasticsearch-document-store.js';
import { elasticsearchFencing, nextEpoch } from '../../apps/alien4cloud/src/core/storage/elasticsearch-epoch-source.js';
import { disposeAllElasticsearchNodes, startElasticsearchNode } from '../../test/support/elasticsearch-node.js';
import { killAllSpawned } from '../../test/support/spawned-process.js';
import { summarize, type Summary } from '../stats/summary.js';

export interface FencingCostOptions {
  /** Rounds of writes; each round runs `batch` writes unfenced and `batch` fenced, in alternating order. */
  rounds: number;
  batch: number;
  /** Epochs obtained, each as an activation does it (a fresh client), and as many through one reused client. */
  activations: number;
}

export interface FencingCost {
  put: { unfenced: Summary; fenced: Summary };
  delete: { unfenced: Summary; fenced: Summary };
  /** Per activation, production path: client created, fence document read and CAS-written, client closed. */
  obtainEpoch: Summary;
  /** The same through a reused client: the two Elasticsearch round trips alone. */
  obtainEpochWarm: Summary;
}

const DOCS = 20; // writes cycle over this many ids, so most are overwrites, as a heartbeat is

export async function measureFencingCost(url: string, options: FencingCostOptions): Promise<FencingCost> {
  const config = { urls: [url], requestTimeoutInMillis: 10_000, indexPrefix: 'bench-fencing-' };
  const fencing = elasticsearchFencing(config);
  const epoch = await fencing.obtainEpoch({ instanceId: 'bench', term: 1 });
  const context: HaContext = { instanceId: 'bench', term: 1, since: new Date().toISOString(), signal: new AbortController().signal, isLeading: () => true, epoch };
  const stores = { unfenced: ElasticsearchDocumentStore.fromConfig(config), fenced: ElasticsearchDocumentStore.fromConfig(config, new Fence(context)) };
  await fastRefresh(url, [`${config.indexPrefix}unfenced`, `${config.indexPrefix}fenced`]);
  const samples = { put: { unfenced: [] as number[], fenced: [] as number[] }, delete: { unfenced: [] as number[], fenced: [] as number[] } };
  try {
    for (const kind of ['unfenced', 'fenced'] as const) await writeBatch(stores[kind], kind, options.batch, [], []); // warm-up
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? (['unfenced', 'fenced'] as const) : (['fenced', 'unfenced'] as const);
      for (const kind of order) await writeBatch(stores[kind], kind, options.batch, samples.put[kind], samples.delete[kind]);
    }
  } finally {
    await Promise.all([stores.unfenced.onApplicationShutdown(), stores.fenced.onApplicationShutdown()]);
  }
  const cold: number[] = [];
  for (let n = 0; n < options.activations; n++) cold.push(await timed(() => fencing.obtainEpoch({ instanceId: 'bench', term: n })));
  const client = new Client({ node: url });
  const warm: number[] = [];
  try {
    for (let n = 0; n < options.activations; n++) warm.push(await timed(() => nextEpoch(client, `${config.indexPrefix}_fence`, { instanceId: 'bench', term: n })));
  } finally {
    await client.close();
  }
  const must = (values: number[]) => summarize(values)!;
  return {
    put: { unfenced: must(samples.put.unfenced), fenced: must(samples.put.fenced) },
    delete: { unfenced: must(samples.delete.unfenced), fenced: must(samples.delete.fenced) },
    obtainEpoch: must(cold),
    obtainEpochWarm: must(warm),
  };
}

/**
 * Every write waits for a refresh (`refresh: wait_for`); at Elasticsearch's default interval of 1 s that
 * wait is the whole latency and hides the fence's cost. The bench indices refresh every 20 ms instead
 * (created here, before the stores would create them with the default).
 */
async function fastRefresh(url: string, indices: string[]): Promise<void> {
  const client = new Client({ node: url });
  try {
    for (const index of indices) {
      await client.indices.delete({ index }, { ignore: [404] });
      await client.indices.create({ index, settings: { refresh_interval: '20ms', number_of_replicas: 0 } });
    }
  } finally {
    await client.close();
  }
}

/** `batch` puts over DOCS ids, then a delete of every tenth id (recreated by the next batch). */
async function writeBatch(store: ElasticsearchDocumentStore, collection: string, batch: number, puts: number[], deletes: number[]): Promise<void> {
  for (let n = 0; n < batch; n++) puts.push(await timed(() => store.put(collection, { id: `doc-${n % DOCS}`, n, at: new Date().toISOString() })));
  for (let n = 0; n < DOCS; n += 10) deletes.push(await timed(() => store.delete(collection, `doc-${n}`)));
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

export function formatFencingCost(cost: FencingCost): string {
  const ms = (v: number) => v.toFixed(2).padStart(8);
  const row = (name: string, s: Summary) => `${name.padEnd(34)}${String(s.count).padStart(6)}${ms(s.min)}${ms(s.median)}${ms(s.p95)}${ms(s.max)}`;
  const delta = (name: string, a: Summary, b: Summary) => `${name.padEnd(34)}${''.padStart(6)}${''.padStart(8)}${ms(b.median - a.median)}${ms(b.p95 - a.p95)}`;
  return [
    `${'figure (ms)'.padEnd(34)}${'n'.padStart(6)}${'min'.padStart(8)}${'median'.padStart(8)}${'p95'.padStart(8)}${'max'.padStart(8)}`,
    row('put, unfenced', cost.put.unfenced),
    row('put, fenced', cost.put.fenced),
    delta('put, extra per fenced write', cost.put.unfenced, cost.put.fenced),
    row('delete, unfenced', cost.delete.unfenced),
    row('delete, fenced', cost.delete.fenced),
    delta('delete, extra per fenced write', cost.delete.unfenced, cost.delete.fenced),
    row('obtain epoch (per activation)', cost.obtainEpoch),
    row('obtain epoch, reused client', cost.obtainEpochWarm),
  ].join('\n');
}

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const started = Date.now();
  const node = await startElasticsearchNode();
  try {
    const cost = await measureFencingCost(node.url, { rounds: 10, batch: 50, activations: 50 });
    process.stdout.write(`a4c-ha fencing cost ${new Date(started).toISOString()} · node ${process.version} · Elasticsearch 8.19 single node, refresh wait_for at a 20 ms refresh interval\n\n${formatFencingCost(cost)}\n`);
  } finally {
    await disposeAllElasticsearchNodes();
    await killAllSpawned();
  }
}

if (process.argv[1]?.endsWith('fencing-cost.js')) {
  main().catch((error: unknown) => {
    process.stderr.write(`fencing bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
