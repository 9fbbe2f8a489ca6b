import { InvalidKeyError } from './store.error.js';
import { MAX_LIST_SIZE, type ListOptions, type StoredDocument } from './document-store.js';

// Collections become index names and directory names: lowercase, safe in both.
const COLLECTION = /^[a-z0-9][a-z0-9_-]{0,99}$/;
// Ids become Elasticsearch _ids (max 512 bytes) and, encoded, file names (max 255 bytes).
const MAX_ID_LENGTH = 200;

export function checkCollection(collection: string): void {
  if (!COLLECTION.test(collection)) throw new InvalidKeyError(`invalid collection name ${JSON.stringify(collection)}`);
}

export function checkId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new InvalidKeyError(`invalid document id ${JSON.stringify(id)} (1-${MAX_ID_LENGTH} characters)`);
  }
}

export function checkDocument(collection: string, document: StoredDocument): void {
  checkCollection(collection);
  checkId(document?.id);
}

/** The filter of ListOptions applied in memory (the file store's query engine). */
export function matchesFilter(document: Record<string, unknown>, filter: ListOptions['filter']): boolean {
  return !filter || Object.entries(filter).every(([key, value]) => document[key] === value);
}

export function listLimit(options: ListOptions | undefined): number {
  const limit = options?.limit ?? MAX_LIST_SIZE;
  return Math.max(0, Math.min(limit, MAX_LIST_SIZE));
}
