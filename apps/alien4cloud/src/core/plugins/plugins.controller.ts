import { Controller, Get } from '@nestjs/common';
import { PluginRegistryService, type PluginState } from './plugin-registry.service.js';

@Controller('rest/v1/plugins')
export class PluginsController {
  constructor(private readonly registry: PluginRegistryService) {}

  @Get()
  list(): readonly PluginState[] {
    return this.registry.list();
  }
}
