import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { HaModule } from '@a4c/ha';
import type { AppConfig } from './config/app-config.js';
import { configureApplication } from './configure-app.js';
import { CoreModule } from './core/core.module.js';
import { elasticsearchFencing } from './core/storage/elasticsearch-epoch-source.js';

/**
 * The parent context of docs/architecture.md §2: only HaModule. It serves health and status on every instance
 * and boots the full graph (CoreModule) on the leader, or at once when ha.ha_enabled is false.
 */
@Module({})
export class AppModule {
  /** `extraModules` go into the full graph (CoreModule.forRoot). */
  static forRoot(config: AppConfig, extraModules: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    const { elasticsearch } = config;
    return {
      module: AppModule,
      imports: [
        HaModule.forRoot({
          ha: config.ha,
          application: CoreModule.forRoot(config, extraModules),
          configureApplication: (app) => {
            configureApplication(app);
          },
          serverPort: config.server.port,
          directory: config.directories.alien,
          elasticsearch: elasticsearch.urls.length
            ? { urls: elasticsearch.urls, username: elasticsearch.username, password: elasticsearch.password, apiKey: elasticsearch.apiKey, caFile: elasticsearch.caFile }
            : undefined,
          // every activation gets its fencing epoch from the store it writes to (docs/architecture.md § Fencing)
          fencing: elasticsearch.urls.length ? elasticsearchFencing(elasticsearch) : undefined,
        }),
      ],
    };
  }
}
