import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clusterStatus,
  disposeAllElasticsearchNodes,
  makeClusterGreen,
  makeClusterRed,
  startElasticsearchNode,
  waitForClusterStatus,
  type ElasticsearchNode,
} from './elasticsearch-node.js';
import { killAllSpawned } from './spawned-process.js';

// Starting a JVM takes a few seconds (and the first run may build the launcher with Maven).
const SLOW = 180_000;

/** Resolves with the error code of a request that cannot connect (e.g. ECONNREFUSED), or 'connected'. */
async function connectOutcome(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return 'connected';
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? String(error);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('test Elasticsearch node (tools/elasticsearch)', () => {
  // A data dir owned by the test, so stop/restart can be checked against the same files.
  const dataDir = mkdtempSync(join(tmpdir(), 'a4c-es-spec-'));
  let node: ElasticsearchNode;

  beforeAll(async () => {
    node = await startElasticsearchNode({ dataDir });
  }, SLOW);

  afterAll(async () => {
    await disposeAllElasticsearchNodes();
    await killAllSpawned();
    rmSync(dataDir, { recursive: true, force: true });
  }, SLOW);

  it('answers HTTP like a real 8.19 node on 127.0.0.1', async () => {
    expect(node.url).toBe(`http://127.0.0.1:${node.port}`);
    const response = await fetch(`${node.url}/`);
    expect(response.status).toBe(200);
    // @elastic/elasticsearch refuses answers without this header.
    expect(response.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const body = (await response.json()) as { version: { number: string }; tagline: string };
    expect(body.version.number).toMatch(/^8\.19\./);
    expect(body.tagline).toBe('You Know, for Search');
    expect(['green', 'yellow']).toContain(await clusterStatus(node.url));
  });

  it('turns red and back to green/yellow on demand', async () => {
    await makeClusterRed(node.url, 'unallocatable');
    expect(await clusterStatus(node.url)).toBe('red');
    await makeClusterGreen(node.url, 'unallocatable');
    expect(['green', 'yellow']).toContain(await clusterStatus(node.url));
  }, SLOW);

  it('stops on SIGTERM (connections refused) and restarts on the same data', async () => {
    const put = await fetch(`${node.url}/docs/_doc/1?refresh=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept' }),
    });
    expect(put.status).toBe(201);

    const oldPid = node.pid;
    expect(await node.stop()).toBe(0); // the launcher exits 0 after closing the node cleanly
    expect(node.running).toBe(false);
    expect(await connectOutcome(`${node.url}/`)).toBe('ECONNREFUSED');

    await node.restart();
    expect(node.pid).not.toBe(oldPid);
    // HTTP answers before the shards have recovered from disk.
    await waitForClusterStatus(node.url, ['green', 'yellow']);
    const get = await fetch(`${node.url}/docs/_doc/1`);
    expect(get.status).toBe(200);
    expect(((await get.json()) as { _source: unknown })._source).toEqual({ name: 'kept' });
  }, SLOW);

  it('kill() ends the process group at once', async () => {
    const pid = node.pid;
    await node.kill();
    expect(node.running).toBe(false);
    expect(processExists(pid)).toBe(false);
    expect(await connectOutcome(`${node.url}/`)).toBe('ECONNREFUSED');
  }, SLOW);

  it('removes the temp data dir it created', async () => {
    const own = await startElasticsearchNode();
    expect(existsSync(own.dataDir)).toBe(true);
    await own.dispose();
    expect(existsSync(own.dataDir)).toBe(false);
    expect(await connectOutcome(`${own.url}/`)).toBe('ECONNREFUSED');
  }, SLOW);
});
