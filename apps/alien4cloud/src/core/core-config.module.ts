import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from './app-config.token.js';

/** Makes the validated AppConfig injectable (APP_CONFIG) everywhere in the full graph. */
@Module({})
export class CoreConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: CoreConfigModule, global: true, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
