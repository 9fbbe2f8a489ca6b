import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ElasticsearchHealth } from './elasticsearch.health.js';
import { HaHealthService } from './ha-health.service.js';
import {
  makeClusterGreen,
  makeClusterRed,
  startElasticsearchNode,
  type ElasticsearchNode,
} from '../../../../test/support/elasticsearch-node.js';
import { freePort } from '../../../../test/support/free-port.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('Elasticsearch health indicator against a real Elasticsearch 8.19 node', () => {
  let node: ElasticsearchNode;
  let dir: string;

  beforeAll(async () => {
    node = await startElasticsearchNode();
    dir = mkdtempSync(join(tmpdir(), 'a4c-es-health-'));
  }, 180_000);
  afterAll(async () => {
    await node?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('green: up, with the cluster status', async () => {
    const health = new ElasticsearchHealth({ urls: [node.url] }, 1000);
    try {
      expect(await health.check()).toEqual({ up: true, data: { clusterStatus: expect.stringMatching(/green|yellow/), cluster: expect.any(String) } });
    } finally {
      await health.close();
    }
  });

  it('red (a primary that cannot be allocated): down, and the instance does not race for the lock', async () => {
    const service = new HaHealthService({ directory: dir, diskThresholdBytes: 1, instanceId: 'es-red', elasticsearch: { urls: [node.url] }, elasticsearchTimeoutMs: 1000 });
    try {
      await makeClusterRed(node.url, 'a4c-health-red');
      expect((await service.report()).elasticsearch).toEqual({ up: false, data: { clusterStatus: 'red', cluster: expect.any(String) } });
      expect(await service.check()).toEqual({ up: false, detail: 'elasticsearch down (red)' });
      await makeClusterGreen(node.url, 'a4c-health-red');
      expect(await service.check()).toEqual({ up: true, detail: 'all indicators up' });
    } finally {
      await service.close();
    }
  }, 60_000);

  it('down (nothing listening): down within health_es_timeout, never a throw', async () => {
    const health = new ElasticsearchHealth({ urls: [`http://127.0.0.1:${await freePort()}`] }, 500);
    try {
      const started = Date.now();
      const outcome = await health.check();
      expect(outcome.up).toBe(false);
      expect(String(outcome.data.message)).toMatch(/ECONNREFUSED|connect|Connection/i);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await health.close();
    }
  });

  it('after close(), a check answers down at once instead of hanging on the closed client', async () => {
    const health = new ElasticsearchHealth({ urls: [node.url] }, 1000);
    await health.close();
    expect(await health.check()).toEqual({ up: false, data: { message: 'shutting down' } });
  });

  it('stopped node: down; restarted: up again', async () => {
    const health = new ElasticsearchHealth({ urls: [node.url] }, 1000);
    try {
      await node.stop();
      expect((await health.check()).up).toBe(false);
      await node.restart();
      await waitUntil(async () => (await health.check()).up, { timeoutMs: 60_000, intervalMs: 200, what: 'elasticsearch health up after restart' });
    } finally {
      await health.close();
    }
  }, 120_000);
});
