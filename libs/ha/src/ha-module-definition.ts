import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { HaModuleOptions } from './ha-module-options.js';

/** forRoot / forRootAsync from one definition (docs/architecture.md §7: Nest's ConfigurableModuleBuilder). */
export const {
  ConfigurableModuleClass: HaConfigurableModule,
  MODULE_OPTIONS_TOKEN: HA_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<HaModuleOptions>().setClassMethodName('forRoot').build();
