import type { HaHealthIndicator } from './health/app-indicators.js';
import type { Provider } from '@nestjs/common';
import type { Clock } from './clock/clock.port.js';
import { systemClock } from './clock/system-clock.js';
import { HA_MODULE_OPTIONS } from './ha-module-definition.js';
import type { HaModuleOptions } from './ha-module-options.js';
import { buildHaSettings, consulFor, type HaSettings } from './ha-runtime.js';
import { HaHealthService } from './health/ha-health.service.js';
import { FullGraphHost } from './host/full-graph-host.js';
import { HaMetrics } from './metrics/ha-metrics.js';

/**
 * The plugin's seams as Nest providers (one concern each), so an application or a test replaces any of
 * them with `Test.createTestingModule(...).overrideProvider(TOKEN)`: the Consul port, the clock, the
 * health indicators, the metrics and the full-graph host. HaService only wires lifecycle and events.
 */

/** Validated config, derived timings and identity (docs/architecture.md §2 and §5). */
export const HA_SETTINGS = 'A4C_HA_SETTINGS';
/** The ConsulPort (null with HA off): the HTTP adapter by default. */
export const HA_CONSUL = 'A4C_HA_CONSUL';
/** The Clock: monotonic now, wall-clock now, abortable sleep (rule 12). */
export const HA_CLOCK = 'A4C_HA_CLOCK';
/**
 * The application's own Terminus indicators: they are served on /rest/admin/health with ours, so they
 * count for Consul's check, and they gate the race for the lock and a leader's tenure (rule 8).
 */
export const HA_HEALTH_INDICATORS = 'A4C_HA_HEALTH_INDICATORS';
/** The prom-client registry the plugin's metrics live in: its own, or the application's (HaModuleOptions.metrics). */
export const HA_METRICS_REGISTRY = 'A4C_HA_METRICS_REGISTRY';

/** Exit code when the full graph's close overran ha.closeTimeoutInMillis (docs/architecture.md §4, rule 11). */
export const EXIT_CLOSE_OVERRUN = 3;

/** Rule 11: the supervisor restarts the process clean; by now the lease guarantees it no longer acts. */
function exitOnCloseOverrun(reason: string): void {
  process.stderr.write(`a4c-ha: the full graph did not close within ha.closeTimeoutInMillis (${reason}): exiting with code ${EXIT_CLOSE_OVERRUN}\n`);
  process.exit(EXIT_CLOSE_OVERRUN);
}

export const HA_PROVIDERS: Provider[] = [
  { provide: HA_SETTINGS, useFactory: (options: HaModuleOptions) => buildHaSettings(options), inject: [HA_MODULE_OPTIONS] },
  { provide: HA_CONSUL, useFactory: (options: HaModuleOptions, settings: HaSettings) => consulFor(options, settings), inject: [HA_MODULE_OPTIONS, HA_SETTINGS] },
  { provide: HA_CLOCK, useFactory: (options: HaModuleOptions): Clock => options.clock ?? systemClock, inject: [HA_MODULE_OPTIONS] },
  {
    provide: HA_HEALTH_INDICATORS,
    useFactory: (options: HaModuleOptions): HaHealthIndicator[] => options.healthIndicators ?? [],
    inject: [HA_MODULE_OPTIONS],
  },
  {
    provide: HaMetrics,
    useFactory: (options: HaModuleOptions, clock: Clock) => new HaMetrics(() => clock.now(), () => clock.wallNow(), options.metrics),
    inject: [HA_MODULE_OPTIONS, HA_CLOCK],
  },
  { provide: HA_METRICS_REGISTRY, useFactory: (metrics: HaMetrics) => metrics.registry, inject: [HaMetrics] },
  {
    provide: HaHealthService,
    useFactory: (options: HaModuleOptions, settings: HaSettings, indicators: HaHealthIndicator[]) =>
      new HaHealthService({
        directory: options.directory,
        diskThresholdBytes: settings.config.health_disk_space_threshold,
        instanceId: settings.identity.instanceId,
        elasticsearch: options.elasticsearch,
        elasticsearchTimeoutMs: settings.config.health_es_timeout,
        indicators,
      }),
    inject: [HA_MODULE_OPTIONS, HA_SETTINGS, HA_HEALTH_INDICATORS],
  },
  {
    provide: FullGraphHost,
    useFactory: (options: HaModuleOptions, settings: HaSettings) =>
      new FullGraphHost({
        application: options.application,
        configureApplication: options.configureApplication,
        drainTimeoutMs: settings.timings.drainTimeoutMs,
        closeTimeoutMs: settings.timings.closeTimeoutMs,
        onCloseOverrun: (reason) => (options.onCloseOverrun ?? exitOnCloseOverrun)(reason),
        logger: options.childLogger,
        fencing: settings.config.ha_enabled ? options.fencing : undefined, // HA off: one never-ending term, nothing to fence
      }),
    inject: [HA_MODULE_OPTIONS, HA_SETTINGS],
  },
];
