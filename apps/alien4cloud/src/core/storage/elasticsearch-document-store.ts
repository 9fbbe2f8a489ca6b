import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { ElasticsearchConfig } from '../../config/app-config.js';
import { redactText } from '../../config/secret-keys.js';
import { Fence, FencedWriteError } from '@a4c/ha';
import type { DocumentStore, ListOptions, StoredDocument } from './document-store.js';
import { conflictingVersion, epochOfVersion, VersionCounter } from './fenced-version.js';
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
 * Attempts of one fenced write that conflicts with versions of its own epoch (its own concurrent writes
 * to the same document). Each such conflict means another write of ours landed, and every retry goes
 * above the highest version seen, so a write loses at most once per concurrent write: the bound only
 * guards against a bug, it must exceed the concurrency of writes to one document (a 20-way burst lost 3
 * times in a row on a loaded 2-core machine).
 */
const SAME_EPOCH_ATTEMPTS = 100;

/**
 * How long a read waits for the primary shard of an index being created to start. A starting shard
 * takes well under a second on a quiet node; a loaded 2-core CI machine saw it answer "RECOVERING"
 * after three health waits had already reported the index yellow (the master marks the shard started a
 * moment before the node's own copy accepts reads), so the wait is a deadline, not a count of tries.
 */
const STARTING_SHARD_WAIT_MS = 10_000;
/** Pause between two reads of a shard that the cluster health already reports started. */
const STARTING_SHARD_RETRY_MS = 25;

/**
 * The store of an HA installation: one index per collection (`<indexPrefix><collection>`). Every write
 * uses `refresh: 'wait_for'`, so once acknowledged it is visible to any search, including the next
 * leader's. `create` relies on `op_type: create`, which Elasticsearch refuses atomically with a 409.
 *
 * Fenced (a Fence with an epoch, HA on): every write is checked against the fence right before it
 * leaves, and put, update and delete carry an external version derived from the epoch, so Elasticsearch
 * refuses them when a newer activation has written the document (docs/architecture.md § Fencing). A
 * refusal is a FencedWriteError.
 */
export class ElasticsearchDocumentStore implements DocumentStore, OnApplicationShutdown {
  private readonly logger = new Logger('ElasticsearchDocumentStore');
  private readonly readyIndices = new Set<string>();
  /** Versions of this activation's writes; null when unfenced (no epoch): plain last-writer-wins. */
  private readonly versions: VersionCounter | null;

  constructor(
    private readonly client: Client,
    private readonly indexPrefix: string,
    private readonly fence: Fence = new Fence(),
  ) {
    this.versions = fence.epoch > 0 ? new VersionCounter(fence.epoch) : null;
  }

  static fromConfig(config: ElasticsearchConfig, fence?: Fence): ElasticsearchDocumentStore {
    return new ElasticsearchDocumentStore(new Client(clientOptions(config)), config.indexPrefix, fence);
  }

  async create<T extends StoredDocument>(collection: string, document: T): Promise<void> {
    checkDocument(collection, document);
    const what = `create ${collection}/${document.id}`;
    const index = await this.writableIndex(collection);
    try {
      this.fence.check(what);
      // op_type create accepts internal versioning only: a document a newer activation wrote is refused
      // as existing, and reported as fenced below
      await this.client.create({ index, id: document.id, document, refresh: 'wait_for' });
    } catch (error) {
      if (error instanceof errors.ResponseError && error.statusCode === 409) {
        await this.refuseIfNewer(what, collection, document.id);
        throw new DuplicateError(collection, document.id);
      }
      throw error;
    }
  }

  async put<T extends StoredDocument>(collection: string, document: T): Promise<void> {
    checkDocument(collection, document);
    const index = await this.writableIndex(collection);
    await this.fenced(`put ${collection}/${document.id}`, (version) =>
      this.client.index({ index, id: document.id, document, refresh: 'wait_for', ...version }),
    );
  }

  /** Read, merge the top-level fields of `patch`, write back (fenced like put); undefined when absent. */
  async update<T extends StoredDocument>(collection: string, id: string, patch: Partial<Omit<T, 'id'>>): Promise<T | undefined> {
    const current = await this.get<T>(collection, id);
    if (!current) return undefined;
    const next = { ...current, ...patch, id } as T;
    const index = await this.writableIndex(collection);
    await this.fenced(`update ${collection}/${id}`, (version) => this.client.index({ index, id, document: next, refresh: 'wait_for', ...version }));
    return next;
  }

  async get<T extends StoredDocument>(collection: string, id: string): Promise<T | undefined> {
    checkCollection(collection);
    checkId(id);
    try {
      const response = await this.onceStarted(collection, () => this.client.get<T>({ index: this.indexOf(collection), id }));
      return response.found ? response._source : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined; // no such document, or no index yet
      throw error;
    }
  }

  async list<T extends StoredDocument>(collection: string, options?: ListOptions): Promise<T[]> {
    checkCollection(collection);
    return this.onceStarted(collection, () => this.search<T>(collection, options));
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
    // the index first, with our mappings: an externally versioned delete on a missing index makes
    // Elasticsearch auto-create it with its own (ids as text, which no list can sort on)
    const index = await this.writableIndex(collection);
    try {
      await this.fenced(`delete ${collection}/${id}`, (version) => this.client.delete({ index, id, refresh: 'wait_for', ...version }));
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

  /**
   * Runs one read, and runs it again while it reaches an index being created (by us or another
   * instance: it exists for a few milliseconds before its shard runs), until STARTING_SHARD_WAIT_MS
   * (monotonic) have passed. Each retry first waits for the index to be yellow (at once when it is).
   */
  private async onceStarted<R>(collection: string, read: () => Promise<R>): Promise<R> {
    const deadline = performance.now() + STARTING_SHARD_WAIT_MS;
    for (;;) {
      try {
        return await read();
      } catch (error) {
        const left = deadline - performance.now();
        if (!isShardNotStarted(error) || left <= 0) throw error;
        // 408: the shard did not start within the wait; the next read says whether it has by now
        await this.client.cluster.health(
          { index: this.indexOf(collection), wait_for_status: 'yellow', timeout: `${Math.ceil(left)}ms` },
          { ignore: [408] },
        );
        await new Promise((resolve) => setTimeout(resolve, STARTING_SHARD_RETRY_MS));
      }
    }
  }

  /**
   * Sends one write: checked against the fence right before it leaves and, when fenced, with the next
   * external version. A conflict with a newer epoch is a FencedWriteError; one with our own epoch (a
   * concurrent write of ours got a higher version first) is sent again with a version above it.
   */
  private async fenced<R>(what: string, send: (version: { version?: number; version_type?: 'external' }) => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      this.fence.check(what);
      if (!this.versions) return send({});
      try {
        // a decimal string in the query string: the client's typings say number, which cannot hold it exactly
        return await send({ version: this.versions.next() as unknown as number, version_type: 'external' });
      } catch (error) {
        const current = conflictingVersion(error);
        if (current === undefined) throw error;
        if (current === null || epochOfVersion(current) > this.fence.epoch) {
          throw new FencedWriteError('superseded', what, this.fence.epoch, current === null ? undefined : epochOfVersion(current));
        }
        if (attempt >= SAME_EPOCH_ATTEMPTS) throw error;
        this.versions.advancePast(current);
      }
    }
  }

  /** After a refused create: a FencedWriteError when the existing document was written by a newer epoch. */
  private async refuseIfNewer(what: string, collection: string, id: string): Promise<void> {
    if (!this.versions) return;
    const existing = await this.client.get({ index: this.indexOf(collection), id, _source: false }).catch(() => undefined);
    const version = existing?.found ? existing._version : undefined;
    // _version arrives as a JSON number: exact enough for its high bits, the epoch
    const newer = version === undefined ? 0 : Math.floor(version / 2 ** 32);
    if (newer > this.fence.epoch) throw new FencedWriteError('superseded', what, this.fence.epoch, newer);
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

/**
 * What Elasticsearch 8.19 answers (503) to a search or a get that reaches an index whose primary shard
 * is not started yet: "all shards failed" from a search, no shard available (unassigned), or the shard
 * still recovering.
 */
const SHARD_NOT_STARTED = new Set(['search_phase_execution_exception', 'no_shard_available_action_exception', 'illegal_index_shard_state_exception']);

function isShardNotStarted(error: unknown): boolean {
  return error instanceof errors.ResponseError && error.statusCode === 503 && SHARD_NOT_STARTED.has(error.body?.error?.type);
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
