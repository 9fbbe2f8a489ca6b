import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Client, ClientOptions } from '@elastic/elasticsearch';
import type { IndicatorOutcome } from './disk-space.health.js';

/** The optional peer dependency this indicator needs, and the range the plugin is tested with. */
export const ELASTICSEARCH_PACKAGE = '@elastic/elasticsearch';
const ELASTICSEARCH_RANGE = '^8.19.1';

type ClientClass = new (options: ClientOptions) => Client;

/**
 * `@elastic/elasticsearch` is an optional peer of @a4c/ha: only this indicator needs it, so it is loaded
 * when one is configured (HaModuleOptions.elasticsearch), from the application's node_modules. Missing,
 * startup fails with what to install instead of a bare "Cannot find package".
 */
export function loadElasticsearchClient(load: (name: string) => unknown = createRequire(import.meta.url)): ClientClass {
  try {
    return (load(ELASTICSEARCH_PACKAGE) as { Client: ClientClass }).Client;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(
      `the Elasticsearch health indicator (HaModule option "elasticsearch") needs the optional peer dependency ${ELASTICSEARCH_PACKAGE}: npm install ${ELASTICSEARCH_PACKAGE}@${ELASTICSEARCH_RANGE}`,
      { cause: error },
    );
  }
}

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
    const ElasticsearchClient = loadElasticsearchClient();
    this.client = new ElasticsearchClient(options);
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
