import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConsulPort } from '../consul/consul.port.js';
import { termOf, type ElectionState } from '../election/election-state.js';
import { buildVersion } from './build-version.js';
import { CONSUL_OPERATIONS, InstrumentedConsul } from './instrumented-consul.js';
import { TransitionHistory } from './transition-history.js';

/** What the scrape-time gauges read from the running plugin: the acting term and the health report. */
export interface MetricSources {
  lease(): { provenAgoMs: number | null; remainingMs: number; leaseMs: number };
  acting(): boolean;
  /** Rule 13: acting rests on a failsafe round now (the lease's proof part is over). */
  onFailsafe?(): boolean;
  /** The health indicators by name, up or not (the same report Consul's check gets). */
  health(): Promise<Record<string, { up: boolean }>>;
}

/** Event-loop lag sampled every 10 ms: fine enough to see the GC pauses that cost a failover. */
const EVENT_LOOP_PRECISION_MS = 10;

/** Where the plugin's metrics live (HaModuleOptions.metrics). */
export interface HaMetricsOptions {
  /**
   * The application's prom-client registry: the plugin registers its `a4c_ha_*` metrics there, and
   * `/rest/admin/metrics` serves that registry. Absent: a registry of the plugin's own (HA_METRICS_REGISTRY).
   */
  readonly registry?: Registry;
  /**
   * Whether the plugin collects prom-client's default metrics (`process_*`, `nodejs_*`, event-loop lag
   * sampled every 10 ms) into its registry. Default: true on its own registry, false on the application's,
   * whose default metrics are the application's business. Set it false on the plugin's own registry too
   * before a `Registry.merge` with a registry that has them: merge throws on a duplicate name.
   */
  readonly defaultMetrics?: boolean;
}

/**
 * Prometheus metrics of docs/architecture.md §3, on a registry of the plugin's own by default (several
 * instances in one process, as in tests, never collide) or on the application's (HaMetricsOptions).
 * Names and units follow Prometheus conventions (`_seconds`, `_total`, `_info`); lease, acting and health
 * gauges are read at scrape time. A failed Consul call counts in `a4c_ha_consul_errors_total` with the
 * `operation` label of the duration histogram (instrumented-consul.ts): one set of values for both.
 */
export class HaMetrics {
  readonly registry: Registry;
  /** Recent transitions of this instance, for `GET /rest/admin/ha/history`. */
  readonly history = new TransitionHistory();
  private sources: MetricSources | null;
  private readonly term: Gauge;
  private readonly state: Gauge<'state'>;
  private readonly transitions: Counter<'from' | 'to'>;
  private readonly activation: Histogram;
  private readonly peerCrashDetections: Counter;
  private readonly consulErrors: Counter<'operation'>;
  private readonly consulDurations: Histogram<'operation' | 'outcome'>;
  private readonly failsafeAnswers: Counter<'outcome'>;
  private activatingSince: number | null = null;
  private readonly now: () => number;
  private readonly wallNow: () => number;

  /**
   * `now`: monotonic ms for durations; `wallNow`: epoch ms for the times shown in the history; `sources`:
   * what the scrape-time gauges read (without them: not acting, no lease); `options`: where the metrics live.
   */
  constructor(now: () => number = Date.now, wallNow: () => number = now, sources: MetricSources | null = null, options: HaMetricsOptions = {}) {
    this.now = now;
    this.wallNow = wallNow;
    this.sources = sources;
    const registry = (this.registry = options.registry ?? new Registry());
    const registers = [registry];
    this.term = new Gauge({ name: 'a4c_ha_term', help: 'The lock\'s LockIndex of the current or last holding by this instance (a label, not the fencing epoch)', registers });
    this.state = new Gauge({ name: 'a4c_ha_state', help: '1 for the current election state', labelNames: ['state'], registers });
    this.transitions = new Counter({ name: 'a4c_ha_transitions_total', help: 'Election state changes', labelNames: ['from', 'to'], registers });
    this.activation = new Histogram({
      name: 'a4c_ha_activation_seconds',
      help: 'Time to boot the full graph after winning the lock',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.peerCrashDetections = new Counter({
      name: 'a4c_ha_peer_crash_detections_total',
      help: 'Locks this instance freed after proving that the holder crashed (its address refused connections, rule 14)',
      registers,
    });
    this.failsafeAnswers = new Counter({
      name: 'a4c_ha_failsafe_answers_total',
      help: 'Failsafe rounds this instance answered as a member (rule 13), by outcome: confirmed or refused',
      labelNames: ['outcome'],
      registers,
    });
    this.consulErrors = new Counter({ name: 'a4c_ha_consul_errors_total', help: 'Failed Consul calls by operation (the operations of a4c_ha_consul_request_duration_seconds)', labelNames: ['operation'], registers });
    this.consulDurations = new Histogram({
      name: 'a4c_ha_consul_request_duration_seconds',
      help: 'Duration of Consul calls by operation and outcome (ok, error, aborted); watch_key is a blocking read',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    // every operation's error series exists from the start, so rate() and alerts see 0 before the first error
    for (const operation of CONSUL_OPERATIONS) this.consulErrors.inc({ operation }, 0);
    for (const kind of ['backup', 'acquiring', 'activating', 'leader', 'deactivating', 'stopped']) this.state.set({ state: kind }, kind === 'backup' ? 1 : 0);
    if (options.defaultMetrics ?? !options.registry) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_PRECISION_MS });
    new Gauge({ name: 'a4c_ha_build_info', help: 'Always 1; the labels tell the plugin version and the Node.js runtime', labelNames: ['version', 'node'], registers }).set(
      { version: buildVersion(), node: process.version },
      1,
    );
    this.scrapeTimeGauges();
  }

  /** The Consul port with every call timed into the request-duration histogram, and its failures counted. */
  instrumentConsul<T extends ConsulPort>(consul: T): ConsulPort {
    return new InstrumentedConsul(consul, this.consulDurations, this.consulErrors);
  }

  recordTransition(from: ElectionState, to: ElectionState, reason = ''): void {
    if (from.kind === to.kind) return;
    this.history.record({ at: new Date(this.wallNow()).toISOString(), from: from.kind, to: to.kind, reason, term: termOf(to) || termOf(from) });
    this.transitions.inc({ from: from.kind, to: to.kind });
    this.state.set({ state: from.kind }, 0);
    this.state.set({ state: to.kind }, 1);
    if ('term' in to) this.term.set(to.term);
    if (to.kind === 'activating') this.activatingSince = this.now();
    if (to.kind === 'leader' && this.activatingSince !== null) {
      this.activation.observe((this.now() - this.activatingSince) / 1000);
      this.activatingSince = null;
    }
  }

  recordPeerCrashDetection(): void {
    this.peerCrashDetections.inc();
  }

  recordFailsafeAnswer(confirmed: boolean): void {
    this.failsafeAnswers.inc({ outcome: confirmed ? 'confirmed' : 'refused' });
  }

  /** With HA off the full graph runs at once: the state gauge says leader for good. */
  markStandalone(): void {
    this.state.set({ state: 'backup' }, 0);
    this.state.set({ state: 'leader' }, 1);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private scrapeTimeGauges(): void {
    const metrics = { registers: [this.registry] };
    const lease = () => this.sources?.lease() ?? { provenAgoMs: null, remainingMs: 0, leaseMs: 0 };
    const acting = () => this.sources?.acting() ?? false;
    new Gauge({
      ...metrics,
      name: 'a4c_ha_lease_proven_age_seconds',
      help: 'Seconds since the request that last proved this instance holds the lock was sent (NaN when it does not hold it)',
      collect() {
        const ago = lease().provenAgoMs;
        this.set(ago === null ? Number.NaN : ago / 1000);
      },
    });
    new Gauge({
      ...metrics,
      name: 'a4c_ha_lease_remaining_seconds',
      help: 'Seconds left before the leader lease lapses and this instance stops acting (0 when lapsed or not holding the lock)',
      collect() {
        this.set(lease().remainingMs / 1000);
      },
    });
    new Gauge({
      ...metrics,
      name: 'a4c_ha_lease_duration_seconds',
      help: 'The configured leader lease: how long a proof of ownership lets this instance act',
      collect() {
        this.set(lease().leaseMs / 1000);
      },
    });
    // a4c_ha_leader is the A4C-era name of the same answer: both read the acting term at scrape time
    new Gauge({
      ...metrics,
      name: 'a4c_ha_leader',
      help: '1 exactly while this instance acts as leader (the acting term: full graph up, lease proven, takeover safe)',
      collect() {
        this.set(acting() ? 1 : 0);
      },
    });
    new Gauge({
      ...metrics,
      name: 'a4c_ha_acting',
      help: '1 while this instance acts as leader (answers 200 on the leader probe: full graph up, lease proven, takeover safe)',
      collect() {
        this.set(acting() ? 1 : 0);
      },
    });
    const onFailsafe = () => this.sources?.onFailsafe?.() ?? false;
    new Gauge({
      ...metrics,
      name: 'a4c_ha_failsafe_active',
      help: '1 while this leader acts on a failsafe round (rule 13): Consul does not answer it and every listed member confirmed',
      collect() {
        this.set(onFailsafe() ? 1 : 0);
      },
    });
    const sources = () => this.sources;
    new Gauge({
      ...metrics,
      name: 'a4c_ha_health_indicator_up',
      help: '1 while the health indicator is up (disk, directory, elasticsearch), as Consul\'s check sees it',
      labelNames: ['indicator'],
      async collect() {
        const report = await sources()?.health();
        this.reset();
        for (const [indicator, outcome] of Object.entries(report ?? {})) this.set({ indicator }, outcome.up ? 1 : 0);
      },
    });
  }
}
