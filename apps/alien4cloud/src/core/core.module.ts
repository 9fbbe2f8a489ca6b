import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { ApplicationsModule } from './applications/applications.module.js';
import { CoreConfigModule } from './core-config.module.js';
import { OrchestratorsModule } from './orchestrators/orchestrators.module.js';
import { PluginsModule } from './plugins/plugins.module.js';
import { StorageModule } from './storage/storage.module.js';

/**
 * The FULL module graph of A4C (docs/architecture.md §1): applications REST, orchestrator pollers, plugins and
 * storage. Booted directly when HA is off, or by the HA plugin on the leader only, as a separate Nest
 * application per activation. It never imports HaModule: it only optionally injects HA_CONTEXT, which
 * the host provides (globally) in the application it boots.
 */
@Module({})
export class CoreModule {
  /** `extraModules`: an embedding's own modules, imported into the full graph after A4C's (none for the server). */
  static forRoot(config: AppConfig, extraModules: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    return {
      module: CoreModule,
      imports: [CoreConfigModule.forRoot(config), StorageModule.forRoot(config), ApplicationsModule, OrchestratorsModule, PluginsModule, ...extraModules],
    };
  }
}
