import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { IndicatorOutcome } from './disk-space.health.js';

/** Where the full graph keeps its data; absent when the embedded store is used (single instance). */
export interface ElasticsearchTarget {
  urls: readonly string[];
  username?: string;
  password?: string;
  apiKey?: string;
  caFile?: string;
}

/**
 * Cluster health green or yellow within ha.health_es_timeout: the seed makes a leader that cannot
 * reach Elasticsearch fail its check, so that another instance (which maybe can) takes over.
 */
export class ElasticsearchHealth {
  private readonly client: Client;
  private closed = false;

  constructor(
    target: ElasticsearchTarget,
    private readonly timeoutMs: number,
  ) {
    const options: ClientOptions = { nodes: [...target.urls], maxRetries: 0, requestTimeout: timeoutMs };
    if (target.apiKey) options.auth = { apiKey: target.apiKey };
    else if (target.username) options.auth = { username: target.username, password: target.password ?? '' };
    if (target.caFile) options.tls = { ca: readFileSync(target.caFile) };
    this.client = new Client(options);
  }

  async check(): Promise<IndicatorOutcome> {
    // a request on a closed client may never settle: answer at once instead
    if (this.closed) return { up: false, data: { message: 'shutting down' } };
    try {
      const health = await this.client.cluster.health({}, { requestTimeout: this.timeoutMs, maxRetries: 0 });
      // `clusterStatus`, not `status`: Terminus reserves `status` in indicator data and throws on it
      return { up: health.status === 'green' || health.status === 'yellow', data: { clusterStatus: health.status, cluster: health.cluster_name } };
    } catch (error) {
      return { up: false, data: { message: (error as Error).message } };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.close();
  }
}
