import type { StoredDocument } from '../storage/document-store.js';

export interface Application extends StoredDocument {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** ISO timestamp. */
  readonly creationDate: string;
}

/** The collection (Elasticsearch index suffix / embedded store directory) of applications. */
export const APPLICATIONS_COLLECTION = 'applications';
