/** Every stored document carries its own id (the key it is stored under). */
export interface StoredDocument {
  readonly id: string;
}

export interface ListOptions {
  /** Top-level fields that must equal these values (strings compare exactly). */
  readonly filter?: Readonly<Record<string, string | number | boolean>>;
  /** At most this many documents (default: all, capped by the implementation). */
  readonly limit?: number;
}

/**
 * The one repository of the full graph: named collections of JSON documents. Implementations:
 * Elasticsearch (HA, shared by every instance) and an embedded file store (single instance). An
 * acknowledged write is durable and visible to the next reader, including another leader.
 *
 * Under HA every write (create, put, update, delete) may reject with FencedWriteError: this instance
 * stopped acting, or a newer leader wrote the document (docs/architecture.md § Fencing). Nothing of a
 * refused write was applied.
 */
export interface DocumentStore {
  /** Stores a new document; rejects with DuplicateError, atomically, when the id already exists. */
  create<T extends StoredDocument>(collection: string, document: T): Promise<void>;
  /** Creates or replaces. */
  put<T extends StoredDocument>(collection: string, document: T): Promise<void>;
  /** Merges the top-level fields of `patch` into the stored document: the result, or undefined when absent. */
  update<T extends StoredDocument>(collection: string, id: string, patch: Partial<Omit<T, 'id'>>): Promise<T | undefined>;
  get<T extends StoredDocument>(collection: string, id: string): Promise<T | undefined>;
  /** Documents ordered by id. */
  list<T extends StoredDocument>(collection: string, options?: ListOptions): Promise<T[]>;
  /** True when a document was deleted, false when there was none. */
  delete(collection: string, id: string): Promise<boolean>;
}

/** Injection token of the DocumentStore. */
export const DOCUMENT_STORE = 'A4C_DOCUMENT_STORE';

/** Upper bound of one list call: both stores return at most this many documents. */
export const MAX_LIST_SIZE = 10_000;
