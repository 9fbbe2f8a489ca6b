import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { join } from 'node:path';
import { Fence, HA_CONTEXT, type HaContext } from '@a4c/ha';
import type { AppConfig } from '../../config/app-config.js';
import { DOCUMENT_STORE, type DocumentStore } from './document-store.js';
import { describeCluster, ElasticsearchDocumentStore } from './elasticsearch-document-store.js';
import { FileDocumentStore } from './file-document-store.js';

/**
 * Provides DOCUMENT_STORE to the whole graph: Elasticsearch when URLs are configured, else embedded.
 * Under HA the store is fenced by this activation's HaContext (docs/architecture.md § Fencing).
 */
@Module({})
export class StorageModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [
        {
          provide: DOCUMENT_STORE,
          useFactory: (context?: HaContext): DocumentStore => createStore(config, new Fence(context)),
          inject: [{ token: HA_CONTEXT, optional: true }],
        },
      ],
      exports: [DOCUMENT_STORE],
    };
  }
}

function createStore(config: AppConfig, fence: Fence): DocumentStore {
  if (config.elasticsearch.urls.length > 0) {
    const fencing = fence.epoch > 0 ? `, writes fenced at epoch ${fence.epoch}` : '';
    new Logger('StorageModule').log(`store: Elasticsearch at ${describeCluster(config.elasticsearch)}${fencing}`);
    return ElasticsearchDocumentStore.fromConfig(config.elasticsearch, fence);
  }
  return new FileDocumentStore(join(config.directories.alien, 'store'), fence);
}
