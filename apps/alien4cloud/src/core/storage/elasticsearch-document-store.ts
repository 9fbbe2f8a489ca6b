import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { ElasticsearchConfig } from '../../config/app-config.js';
import { redactText } from '../../config/secret-keys.js';
import type { DocumentStore, ListOptions, StoredDocument } from './document-store.js';
import { DuplicateError } from './store.error.js';
import { checkCollection, checkDocument, checkId, listLimit } from './store-keys.js';

/**
 * Strings are mapped as keywords so list filters are exact matches and lists can sort by `id`
 * (sorting on `_id` is disabled by default in Elasticsearch 8).
 */
const INDEX_MAPPINGS = {
  dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string' as const, mapping: { type: 'keyword' as const } } }],
  properties: { id: { type: 'keyword' as const } },
};

/**
 * The store of an HA installation: one index per collection (`<indexPrefix><collection>`). Every write
 * uses `refresh: 'wait_for'`, so once acknowledged it is visible to any search, including the next
 * leader's. `create` relies on `op_type: create`, which Elasticsearch refuses atomically with a 409.
 */
export class ElasticsearchDocumentStore implements DocumentStore, OnApplicationShutdown {
  private readonly logger = new Logger('ElasticsearchDocumentStore');
  private readonly readyIndices = new Set<string>();

  constructor(
    private readonly client: Client,
    private readonly indexPrefix: string,
  ) {}

  static fromConfig(config: ElasticsearchConfig): ElasticsearchDocumentStore {
    return new ElasticsearchDocumentStore(new Client(clientOptions(config)), config.indexPrefix);
  }

  async create<T extends StoredDocument>(collection: string, document: T): Promise<void> {
    checkDocument(collection, document);
    const index = await this.writableIndex(collection);
    try {
      await this.client.create({ index, id: document.id, document, refresh: 'wait_for' });
    } catch (error) {
      if (error instanceof errors.ResponseError && error.statusCode === 409) throw new DuplicateError(collection, document.id);
      throw error;
    }
  }

  async put<T extends StoredDocument>(collection: string, document: T): Promise<void> {
    checkDocument(collection, document);
    const index = await this.writableIndex(collection);
    await this.client.index({ index, id: document.id, document, refresh: 'wait_for' });
  }

  async get<T extends StoredDocument>(collection: string, id: string): Promise<T | undefined> {
    checkCollection(collection);
    checkId(id);
    try {
      const response = await this.client.get<T>({ index: this.indexOf(collection), id });
      return response.found ? response._source : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined; // no such document, or no index yet
      throw error;
    }
  }

  async list<T extends StoredDocument>(collection: string, options?: ListOptions): Promise<T[]> {
    checkCollection(collection);
    try {
      return await this.search<T>(collection, options);
    } catch (error) {
      if (!isShardNotStarted(error)) throw error;
      // another instance has just created the index and its primary shard is still starting: wait for
      // it (a starting shard takes well under a second; 5 s is the give-up point) and ask once more,
      // rather than answer a 500
      await this.client.cluster.health({ index: this.indexOf(collection), wait_for_status: 'yellow', timeout: '5s' });
      return this.search<T>(collection, options);
    }
  }

  private async search<T extends StoredDocument>(collection: string, options?: ListOptions): Promise<T[]> {
    const terms = Object.entries(options?.filter ?? {}).map(([field, value]) => ({ term: { [field]: value } }));
    const response = await this.client.search<T>({
      index: this.indexOf(collection),
      ignore_unavailable: true, // a collection nobody wrote to yet is just empty
      size: listLimit(options),
      sort: [{ id: { order: 'asc', unmapped_type: 'keyword' } }],
      query: terms.length > 0 ? { bool: { filter: terms } } : { match_all: {} },
    });
    return response.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
  }

  async delete(collection: string, id: string): Promise<boolean> {
    checkCollection(collection);
    checkId(id);
    try {
      await this.client.delete({ index: this.indexOf(collection), id, refresh: 'wait_for' });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** After every module's onModuleDestroy, so background work can finish its last write first. */
  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
    this.logger.log('Elasticsearch client closed');
  }

  private indexOf(collection: string): string {
    return `${this.indexPrefix}${collection}`;
  }

  /** Creates the index with our mappings before its first write (auto-creation would map strings as text). */
  private async writableIndex(collection: string): Promise<string> {
    const index = this.indexOf(collection);
    if (this.readyIndices.has(index)) return index;
    try {
      await this.client.indices.create({ index, mappings: INDEX_MAPPINGS });
      this.logger.log(`created index ${index}`);
    } catch (error) {
      // Another instance (or an earlier run) created it: fine.
      if (!(error instanceof errors.ResponseError && error.body?.error?.type === 'resource_already_exists_exception')) throw error;
    }
    this.readyIndices.add(index);
    return index;
  }
}

/** 503 "all shards failed" from a search: the index exists but its primary shard is not started yet. */
function isShardNotStarted(error: unknown): boolean {
  return error instanceof errors.ResponseError && error.statusCode === 503 && error.body?.error?.type === 'search_phase_execution_exception';
}

function isNotFound(error: unknown): boolean {
  return error instanceof errors.ResponseError && error.statusCode === 404;
}

export function clientOptions(config: ElasticsearchConfig): ClientOptions {
  const auth = config.apiKey
    ? { apiKey: config.apiKey }
    : config.username && config.password
      ? { username: config.username, password: config.password }
      : undefined;
  return {
    nodes: [...config.urls],
    auth,
    tls: config.caFile ? { ca: readFileSync(config.caFile) } : undefined,
    requestTimeout: config.requestTimeoutInMillis,
    maxRetries: 2,
  };
}

/** For log lines: the cluster URLs with any embedded credentials hidden. */
export function describeCluster(config: ElasticsearchConfig): string {
  return config.urls.map(redactText).join(', ');
}
