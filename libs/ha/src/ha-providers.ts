import type { HaHealthIndicator } from './health/app-indicators.js';
import { Logger, type Provider } from '@nestjs/common';
import type { Clock } from './clock/clock.port.js';
import { systemClock } from './clock/system-clock.js';
import { HA_MODULE_OPTIONS } from './ha-module-definition.js';
import type { HaModuleOptions } from './ha-module-options.js';
import { buildHaSettings, consulFor, type HaConsul, type HaSettings } from './ha-runtime.js';
import { Elector } from './election/elector.js';
import { ElectionReporter } from './election/election-reporter.js';
import { HaEvents } from './ha-events.js';
import { HaForwarding } from './forwarding/ha-forwarding.js';
import { forwardingTls } from './forwarding/forwarding-tls.js';
import { HaLeaderView } from './forwarding/ha-leader-view.js';
import { HoldAndForward } from './forwarding/hold-and-forward.js';
import { HttpPeerProbe } from './peers/http-peer-probe.js';
import type { PeerCrashDetector } from './peers/peer-crash-detector.js';
import { peerCrashDetectorFor } from './peers/peer-crash-wiring.js';
import { ActingTerm } from './term/acting-term.js';
import { INTERNAL_DEFAULTS } from './config/internal-defaults.js';
import { HaHealthService } from './health/ha-health.service.js';
import { FullGraphHost } from './host/full-graph-host.js';
import { HaMetrics } from './metrics/ha-metrics.js';
import type { ElectorFailsafe } from './failsafe/elector-failsafe.js';
import { HA_FAILSAFE, failsafeProvider } from './failsafe/failsafe-providers.js';

/**
 * The plugin's seams as Nest providers (one concern each), so an application or a test replaces any of
 * them with `Test.createTestingModule(...).overrideProvider(TOKEN)`: the Consul port, the clock, the
 * health indicators, the metrics and the full-graph host. Each reader gets what it uses injected
 * directly (docs/architecture.md §1); HaService only coordinates start, step-down and shutdown.
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
/** The Elector (null with HA off): internal, the coordinator and the forwarding read it. */
export const HA_ELECTOR = 'A4C_HA_ELECTOR';
/** Crash detection by peers (rule 14): the PeerCrashDetector, or null with HA off or `ha.peerCrashDetection: false`. */
export const HA_PEER_CRASH_DETECTOR = 'A4C_HA_PEER_CRASH_DETECTOR';

const peersLogger = new Logger('HA');

/** Exit code when the full graph's close overran ha.closeTimeoutInMillis (docs/architecture.md §4, rule 11). */
export const EXIT_CLOSE_OVERRUN = 3;

/** Rule 11: the supervisor restarts the process clean; by now the lease guarantees it no longer acts. */
function exitOnCloseOverrun(reason: string): void {
  process.stderr.write(`a4c-ha: the full graph did not close within ha.closeTimeoutInMillis (${reason}): exiting with code ${EXIT_CLOSE_OVERRUN}\n`);
  process.exit(EXIT_CLOSE_OVERRUN);
}

const forwardingLogger = new Logger('Forwarding');

export const HA_PROVIDERS: Provider[] = [
  { provide: HA_SETTINGS, useFactory: (options: HaModuleOptions) => buildHaSettings(options), inject: [HA_MODULE_OPTIONS] },
  { provide: HA_CONSUL, useFactory: (options: HaModuleOptions, settings: HaSettings) => consulFor(options, settings), inject: [HA_MODULE_OPTIONS, HA_SETTINGS] },
  { provide: HA_CLOCK, useFactory: (options: HaModuleOptions): Clock => options.clock ?? systemClock, inject: [HA_MODULE_OPTIONS] },
  {
    provide: HA_HEALTH_INDICATORS,
    useFactory: (options: HaModuleOptions): HaHealthIndicator[] => options.healthIndicators ?? [],
    inject: [HA_MODULE_OPTIONS],
  },
  { provide: ActingTerm, useFactory: (clock: Clock, settings: HaSettings) => new ActingTerm(clock, settings.timings.leaseMs), inject: [HA_CLOCK, HA_SETTINGS] },
  { provide: HaEvents, useFactory: () => new HaEvents() },
  {
    provide: HaMetrics,
    useFactory: (options: HaModuleOptions, clock: Clock, term: ActingTerm, health: HaHealthService) =>
      new HaMetrics(
        () => clock.now(),
        () => clock.wallNow(),
        { lease: () => term.leaseStatus(), acting: () => term.mayAct(), onFailsafe: () => term.actsOnGrant(), health: () => health.report() },
        options.metrics,
      ),
    inject: [HA_MODULE_OPTIONS, HA_CLOCK, ActingTerm, HaHealthService],
  },
  {
    provide: ElectionReporter,
    useFactory: (settings: HaSettings, metrics: HaMetrics, events: HaEvents, host: FullGraphHost) =>
      new ElectionReporter({ instanceId: settings.identity.instanceId, metrics, events, epoch: () => host.epoch }),
    inject: [HA_SETTINGS, HaMetrics, HaEvents, FullGraphHost],
  },
  {
    provide: HA_PEER_CRASH_DETECTOR,
    useFactory: (options: HaModuleOptions, settings: HaSettings, consul: HaConsul, clock: Clock, metrics: HaMetrics): PeerCrashDetector | null =>
      consul
        ? peerCrashDetectorFor({
            config: settings.config,
            consul: metrics.instrumentConsul(consul),
            clock,
            probe: options.peers ?? peerProbeFor(settings),
            instanceId: settings.identity.instanceId,
            // the instrumented Consul already counts the failed call in a4c_ha_consul_errors_total
            onError: (operation, detail) => peersLogger.warn(`${operation}: ${detail}`),
            warn: (line) => peersLogger.warn(line),
          })
        : null,
    inject: [HA_MODULE_OPTIONS, HA_SETTINGS, HA_CONSUL, HA_CLOCK, HaMetrics],
  },
  {
    provide: HA_ELECTOR,
    useFactory: (
      options: HaModuleOptions,
      settings: HaSettings,
      consul: HaConsul,
      clock: Clock,
      health: HaHealthService,
      host: FullGraphHost,
      term: ActingTerm,
      metrics: HaMetrics,
      reporter: ElectionReporter,
      detector: PeerCrashDetector | null,
      failsafe: ElectorFailsafe | null,
    ) => {
      if (!consul) return null;
      const elector = new Elector({
        consul: metrics.instrumentConsul(consul),
        clock,
        health,
        graph: host,
        term,
        identity: settings.identity,
        timings: settings.timings,
        peers: options.peers ?? peerProbeFor(settings),
        onHolderSeen: (holder) => detector?.seen(holder),
        listener: reporter,
        ...(failsafe ? { failsafe } : {}),
      });
      // rule 14: a lock this instance freed is news for the log, the history and the metric
      detector?.onFreed((reason) => {
        metrics.recordPeerCrashDetection();
        elector.noteFreedByPeer(reason);
      });
      return elector;
    },
    inject: [HA_MODULE_OPTIONS, HA_SETTINGS, HA_CONSUL, HA_CLOCK, HaHealthService, FullGraphHost, ActingTerm, HaMetrics, ElectionReporter, HA_PEER_CRASH_DETECTOR, HA_FAILSAFE],
  },
  failsafeProvider({ settings: HA_SETTINGS, consul: HA_CONSUL, clock: HA_CLOCK }),
  {
    provide: HaForwarding,
    useFactory: (settings: HaSettings, consul: HaConsul, term: ActingTerm, elector: Elector | null, reporter: ElectionReporter) => {
      const { config, timings, identity } = settings;
      const self = { id: identity.instanceId, url: identity.url };
      const view = new HaLeaderView({
        instanceId: identity.instanceId,
        url: identity.url,
        leaderKey: config.leaderKey,
        consul,
        term,
        leader: () => (elector ? elector.leader : self),
        onElectionChange: (listener) => reporter.onChange(listener),
        knownMembers: () => elector?.knownMembers() ?? [],
      });
      const forwarding = new HoldAndForward(view, {
        enabled: config.forwardToLeader,
        timeoutMs: config.forwardTimeoutInMillis,
        // one health-check period: about when a new leader can have been elected
        retryAfterSeconds: config.healthCheckPeriodInSecond,
        retryBufferBytes: INTERNAL_DEFAULTS.retryBufferBytes,
        connectTimeoutMs: INTERNAL_DEFAULTS.forwardConnectTimeoutMs,
        tls: forwardingTls(config),
        log: (line) => forwardingLogger.warn(line),
      });
      return new HaForwarding(view, forwarding, config.forwardTimeoutInMillis + timings.drainTimeoutMs);
    },
    inject: [HA_SETTINGS, HA_CONSUL, ActingTerm, HA_ELECTOR, ElectionReporter],
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

/** Rule 10's probe of another instance (also rule 14's proof): a refused connection or its own "not acting". */
function peerProbeFor(settings: HaSettings): HttpPeerProbe {
  return new HttpPeerProbe({ timeoutMs: Math.min(INTERNAL_DEFAULTS.peerProbeTimeoutMs, settings.timings.requestTimeoutMs) });
}
