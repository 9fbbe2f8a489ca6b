import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HaEvents } from './ha-events.js';
import { ActingTerm } from './term/acting-term.js';
import { HaConfigurableModule } from './ha-module-definition.js';
import { HaService } from './ha.service.js';
import { HA_METRICS_REGISTRY, HA_PROVIDERS } from './ha-providers.js';
import { HaHealthService } from './health/ha-health.service.js';
import { HaMetrics } from './metrics/ha-metrics.js';
import { DispatchMiddleware } from './http/dispatch.middleware.js';
import { HaClusterController } from './http/ha-cluster.controller.js';
import { HaFailsafeController } from './http/ha-failsafe.controller.js';
import { HaStatusController } from './http/ha-status.controller.js';
import { HealthController } from './http/health.controller.js';
import { MetricsController } from './http/metrics.controller.js';
import { LeaderWatchController } from './peers/leader-watch.controller.js';

/**
 * The HA plugin: `HaModule.forRoot({ ha, application, serverPort, directory, ... })` in the app module
 * (or forRootAsync). It makes the parent context: health, status, metrics and the dispatch to the full
 * graph, which it boots on the leader only.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'pretty' })],
  controllers: [HealthController, HaStatusController, HaClusterController, HaFailsafeController, MetricsController, LeaderWatchController],
  providers: [...HA_PROVIDERS, HaService],
  exports: [HaService, HaEvents, ActingTerm, HaHealthService, HaMetrics, HA_METRICS_REGISTRY],
})
export class HaModule extends HaConfigurableModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(DispatchMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
