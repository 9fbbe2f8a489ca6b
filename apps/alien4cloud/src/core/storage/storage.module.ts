import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { join } from 'node:path';
import type { AppConfig } from '../../config/app-config.js';
import { DOCUMENT_STORE, type DocumentStore } from './document-store.js';
import { describeCluster, ElasticsearchDocumentStore } from './elasticsearch-document-store.js';
import { FileDocumentStore } from './file-document-store.js';

/** Provides DOCUMENT_STORE to the whole graph: Elasticsearch when URLs are configured, else embedded. */
@Module({})
export class StorageModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [{ provide: DOCUMENT_STORE, useFactory: (): DocumentStore => createStore(config) }],
      exports: [DOCUMENT_STORE],
    };
  }
}

function createStore(config: AppConfig): DocumentStore {
  if (config.elasticsearch.urls.length > 0) {
    new Logger('StorageModule').log(`store: Elasticsearch at ${describeCluster(config.elasticsearch)}`);
    return ElasticsearchDocumentStore.fromConfig(config.elasticsearch);
  }
  return new FileDocumentStore(join(config.directories.alien, 'store'));
}
