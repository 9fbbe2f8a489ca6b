import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Clock } from './clock/clock.port.js';
import { roleOf, sessionOf, termOf, type ElectionState } from './election/election-state.js';
import { Elector, checkTimeoutFor } from './election/elector.js';
import { onFailsafe } from './election/lease.js';
import type { Member } from './election/leader-value.js';
import { HttpPeerProbe } from './peers/http-peer-probe.js';
import { electorFailsafeFor } from './failsafe/failsafe-wiring.js';
import type { Confirmation } from './failsafe/failsafe-member.js';
import type { FailsafeRequest } from './failsafe/failsafe-request.js';
import type { ElectorFailsafe } from './failsafe/elector-failsafe.js';
import { HA_ELECTED, HA_REVOKED, HaEvents } from './ha-events.js';
import { HA_MODULE_OPTIONS } from './ha-module-definition.js';
import type { HaModuleOptions } from './ha-module-options.js';
import { HA_CLOCK, HA_CONSUL, HA_SETTINGS } from './ha-providers.js';
import type { HaRuntime, HaSettings } from './ha-runtime.js';
import { HaHealthService } from './health/ha-health.service.js';
import { FullGraphHost } from './host/full-graph-host.js';
import { HaMetrics } from './metrics/ha-metrics.js';

/** The answer of GET /rest/admin/ha (docs/architecture.md §3). */
export interface HaStatus {
  enabled: boolean;
  role: 'leader' | 'backup' | 'activating' | 'deactivating';
  instanceId: string;
  /** True while this instance answers 200 on the leader probe (full graph up, lease proven, takeover safe). */
  acting: boolean;
  leader: { id: string; url: string } | null;
  term: number;
  /** The fencing epoch of the running full graph (docs/architecture.md § Fencing); 0 when none. */
  epoch: number;
  since: string | null;
  sessionId: string | null;
  /** The effective timings this instance runs with, so tools can compute their bounds. */
  timings: { leaseMs: number; renewDeadlineMs: number; checkIntervalMs: number; checkTimeoutMs: number };
}

/** How fresh this leader's proof of ownership is (metrics, CLI); nulls when not holding the lock. */
export interface LeaseStatus {
  /** Milliseconds since the request that last proved ownership was sent. */
  provenAgoMs: number | null;
  /** Milliseconds left before the lease lapses (0 when lapsed or not holding). */
  remainingMs: number;
  leaseMs: number;
}

/**
 * The plugin's lifecycle and events in the parent context: builds the elector from the injected ports
 * (HA on) or runs a standalone full graph (HA off), starts at bootstrap, hands over cleanly at shutdown,
 * and tells listeners about every transition. The ports themselves are providers (ha-providers.ts).
 */
@Injectable()
export class HaService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly runtime: HaRuntime;
  readonly events = new HaEvents();
  readonly elector: Elector | null;
  private readonly clock: Clock;
  private readonly logger = new Logger('HA');
  private standaloneTerm: AbortController | null = null;
  private readonly startedAt: string;
  private readonly changeListeners = new Set<() => void>();
  private readonly handOverSteps = new Set<() => Promise<void>>();
  private readonly quiesceSteps = new Set<() => Promise<void>>();
  private readonly quiesceResumes = new Set<() => void>();
  /** Rule 13's parts when ha.failsafe is on (and an admin token lets rounds through): null otherwise. */
  readonly failsafe: ElectorFailsafe | null;

  constructor(
    @Inject(HA_MODULE_OPTIONS) options: HaModuleOptions,
    @Inject(HA_SETTINGS) settings: HaSettings,
    @Inject(HA_CONSUL) consul: HaRuntime['consul'],
    @Inject(HA_CLOCK) clock: Clock,
    readonly metrics: HaMetrics,
    readonly health: HaHealthService,
    readonly host: FullGraphHost,
  ) {
    this.runtime = { ...settings, consul };
    const { timings, identity } = this.runtime;
    this.clock = clock;
    this.startedAt = new Date(this.clock.wallNow()).toISOString();
    this.failsafe = consul ? electorFailsafeFor(this.runtime, consul, clock, () => this.host.epoch) : null;
    if (consul && this.runtime.config.failsafe && !this.failsafe) {
      this.logger.warn('ha.failsafe is on but ha.adminToken is not set: failsafe rounds cannot be asked or answered, so failsafe is off');
    }
    this.elector = consul
      ? new Elector({
          consul: this.metrics.instrumentConsul(consul),
          clock: this.clock,
          health: this.health,
          graph: this.host,
          identity,
          timings,
          peers: options.peers ?? new HttpPeerProbe({ timeoutMs: Math.min(1000, timings.requestTimeoutMs) }),
          ...(this.failsafe ? { failsafe: this.failsafe } : {}),
          listener: {
            transition: (from, to, reason) => this.onTransition(from, to, reason),
            consulError: (operation) => this.metrics.recordConsulError(operation),
          },
        })
      : null;
  }

  /** Called after every transition and every change of the known leader (forwarding, cluster views). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * Work run at shutdown once the lock is released, before Consul's client closes and the server stops
   * listening: requests still held on this instance are handed to the successor (forwarding).
   */
  onHandOver(step: () => Promise<void>): () => void {
    this.handOverSteps.add(step);
    return () => this.handOverSteps.delete(step);
  }

  /**
   * Work run when this leader is about to give up the lock on purpose (step-down, SIGTERM), while it
   * still acts: the dispatch holds new requests for the successor and waits (bounded) for those its full
   * graph is serving, so they finish with their writes still allowed. `resume` undoes it when the
   * step-down does not happen.
   */
  onQuiesce(step: () => Promise<void>, resume: () => void): () => void {
    this.quiesceSteps.add(step);
    this.quiesceResumes.add(resume);
    return () => {
      this.quiesceSteps.delete(step);
      this.quiesceResumes.delete(resume);
    };
  }

  /** Answers 200 on the leader probe now: DESIGN rule 9/10 (the name the routes and tools use). */
  get isActing(): boolean {
    return this.isActiveLeader;
  }

  leaseStatus(): LeaseStatus {
    const leaseMs = this.runtime.timings.leaseMs;
    const state = this.elector?.current;
    if (!state || (state.kind !== 'leader' && state.kind !== 'activating')) return { provenAgoMs: null, remainingMs: 0, leaseMs };
    const now = this.clock.now();
    const remainingMs = this.isActing ? Math.max(0, state.lease.provenAt + leaseMs - now) : 0;
    return { provenAgoMs: Math.max(0, now - state.lease.provenAt), remainingMs, leaseMs };
  }

  /** The cluster's members as this instance last knew them (rule 13's list in the key). */
  knownMembers(): Member[] {
    return this.elector?.knownMembers() ?? [];
  }

  /** Rule 13: this leader acts on a failsafe round now (Consul does not answer it; every member confirmed). */
  onFailsafe(): boolean {
    const state = this.elector?.current;
    return this.isActing && state?.kind === 'leader' && onFailsafe(state.lease, this.clock.now(), this.runtime.timings);
  }

  /**
   * The leader probe answered "not acting": a successor may rely on that (rule 10), so this instance must
   * not start acting on a proof sent before now.
   */
  promiseNotActing(): void {
    this.elector?.promiseNotActing();
  }

  /**
   * A leader asks this instance to confirm a failsafe round (rule 13): judged against what this instance
   * is and sees, after its own bounded attempt to reach Consul. A confirmation is a promise it keeps.
   */
  async confirmFailsafe(request: FailsafeRequest): Promise<Confirmation> {
    const { elector, failsafe } = this;
    if (!elector || !failsafe) return { confirmed: false, reason: 'failsafe is off on this instance (ha.failsafe: false, or no ha.adminToken)' };
    const confirmation = await failsafe.member.confirm(request, () => ({ holdsLock: elector.holdsLock(), acting: this.isActiveLeader }));
    this.metrics.recordFailsafeAnswer(confirmation.confirmed);
    return confirmation;
  }

  /** The wall-clock time (for people and peers) of a moment on this instance's monotonic clock. */
  wallTimeOf(monotonic: number): number {
    return this.clock.wallNow() + (monotonic - this.clock.now());
  }

  get instanceId(): string {
    return this.runtime.identity.instanceId;
  }

  /**
   * The leader probe's answer (docs/architecture.md rules 3, 9, 10): the lock is ours, the full graph is
   * up, our predecessor provably stopped and our ownership was proven within the lease, on the monotonic
   * clock, at the moment of asking. A freeze lapses the lease by itself, so a process waking from one
   * cannot act before it has proven ownership again.
   */
  get isActiveLeader(): boolean {
    if (!this.elector) return this.host.isUp;
    return this.host.isUp && this.elector.isActing();
  }

  /** Whether requests may be served by the full graph now: exactly when acting (rule 9). */
  mayServe(): boolean {
    return this.isActiveLeader;
  }

  status(): HaStatus {
    const t = this.runtime.timings;
    const timings = {
      leaseMs: t.leaseMs,
      renewDeadlineMs: t.renewDeadlineMs,
      checkIntervalMs: t.healthCheckIntervalMs,
      checkTimeoutMs: checkTimeoutFor(t.healthCheckIntervalMs),
    };
    if (!this.elector) {
      return { enabled: false, role: 'leader', acting: this.host.isUp, instanceId: this.instanceId, leader: { id: this.instanceId, url: this.runtime.identity.url }, term: 0, epoch: 0, since: this.startedAt, sessionId: null, timings };
    }
    const state = this.elector.current;
    const leader = this.elector.leader;
    return {
      enabled: true,
      role: roleOf(state),
      acting: this.isActing,
      instanceId: this.instanceId,
      leader: leader ? { id: leader.id, url: leader.url } : null,
      term: termOf(state),
      epoch: this.host.epoch,
      since: 'since' in state ? new Date(state.since).toISOString() : null,
      sessionId: sessionOf(state),
      timings,
    };
  }

  /** Hands over; with `candidate`, the others stand back so that instance takes over. */
  stepDown(candidate?: string): boolean {
    const elector = this.elector;
    const kind = elector?.current.kind;
    if (!elector || (kind !== 'leader' && kind !== 'activating')) return false;
    // the answer (202) does not wait: the requests in the full graph finish first, then the elector releases
    void this.quiesce().then(() => {
      if (!elector.stepDown(candidate)) for (const resume of [...this.quiesceResumes]) resume();
    });
    return true;
  }

  private async quiesce(): Promise<void> {
    await Promise.all([...this.quiesceSteps].map((step) => step().catch(() => undefined)));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.elector) {
      this.logger.log(`HA enabled: instance ${this.instanceId} starts as backup, racing for ${this.runtime.config.leaderKey}`);
      this.elector.start();
      return;
    }
    // HA off: one never-ending term, and a full graph that fails to boot stops startup like any module
    this.standaloneTerm = new AbortController();
    await this.host.activate({ instanceId: this.instanceId, term: 0, since: this.startedAt, signal: this.standaloneTerm.signal });
    if (!this.host.isUp) throw new Error('the full graph failed to start');
    this.metrics.markStandalone();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.elector) {
      await this.quiesce();
      await this.elector.stop();
      await Promise.all([...this.handOverSteps].map((step) => step()));
    } else {
      this.standaloneTerm?.abort();
      await this.host.deactivate('shutdown');
    }
    this.runtime.consul?.close?.();
  }

  /** After the HTTP server has closed: no health request can still be using the Elasticsearch client. */
  async onApplicationShutdown(): Promise<void> {
    await this.health.close();
  }

  private notifyChange(): void {
    for (const listener of [...this.changeListeners]) listener();
  }

  private onTransition(from: ElectionState, to: ElectionState, reason: string): void {
    // one structured line per change (docs/architecture.md §7, convention 8): A4C's logger prints the
    // fields as `[instanceId=... term=...]` in text and as top-level keys with logging.format json
    this.logger.log({
      message: from.kind === to.kind ? `${to.kind}: ${reason}` : `${from.kind} -> ${to.kind}: ${reason}`,
      instanceId: this.instanceId,
      sessionId: sessionOf(to) ?? sessionOf(from) ?? null,
      term: termOf(to) || termOf(from),
      epoch: this.host.epoch,
      reason,
    });
    this.metrics.recordTransition(from, to, reason);
    this.notifyChange();
    if (to.kind === 'leader' && from.kind !== 'leader') this.events.emit(HA_ELECTED, { instanceId: this.instanceId, term: to.term, reason });
    if (to.kind === 'deactivating') this.events.emit(HA_REVOKED, { instanceId: this.instanceId, term: to.term, reason });
  }
}
