import { Module } from '@nestjs/common';
import { PluginRegistryService } from './plugin-registry.service.js';
import { PluginsController } from './plugins.controller.js';

/** Plugin descriptors from `<directories.alien>/plugins/` and `/rest/v1/plugins`. */
@Module({ controllers: [PluginsController], providers: [PluginRegistryService], exports: [PluginRegistryService] })
export class PluginsModule {}
