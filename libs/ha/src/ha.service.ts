import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import type { Clock } from './clock/clock.port.js';
import { roleOf, sessionOf, termOf } from './election/election-state.js';
import { checkTimeoutFor } from './config/ha-timings.js';
import type { Elector } from './election/elector.js';
import { HaForwarding } from './forwarding/ha-forwarding.js';
import { HA_CLOCK, HA_CONSUL, HA_ELECTOR, HA_SETTINGS } from './ha-providers.js';
import type { HaConsul, HaSettings } from './ha-runtime.js';
import { HaHealthService } from './health/ha-health.service.js';
import { FullGraphHost } from './host/full-graph-host.js';
import { HaMetrics } from './metrics/ha-metrics.js';
import { ActingTerm, type LeaseStatus } from './term/acting-term.js';

export type { LeaseStatus } from './term/acting-term.js';

/** The answer of GET /rest/admin/ha (docs/architecture.md §3). */
export interface HaStatus {
  enabled: boolean;
  role: 'leader' | 'backup' | 'activating' | 'deactivating';
  instanceId: string;
  /** The acting term's answer: true while this instance answers 200 on the leader probe. */
  acting: boolean;
  leader: { id: string; url: string } | null;
  /** The lock's LockIndex of the current holding: a label that restarts at 1 when Consul loses its state. */
  term: number;
  /** The fencing epoch of the running full graph (docs/architecture.md § Fencing); 0 when none. */
  epoch: number;
  since: string | null;
  sessionId: string | null;
  /** The effective timings this instance runs with, so tools can compute their bounds. */
  timings: { leaseMs: number; renewDeadlineMs: number; checkIntervalMs: number; checkTimeoutMs: number };
}

/**
 * The plugin's lifecycle in the parent context, and the one coordinator of its order: starts the
 * elector at bootstrap (HA on) or runs the full graph for good (HA off: a term that never ends); on a
 * step-down or at shutdown quiesces the dispatch first, then lets the elector release, then hands what is
 * still held to the successor. Readers of "may I act" use the ActingTerm, not this service.
 */
@Injectable()
export class HaService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('HA');
  private readonly startedAt: string;

  constructor(
    @Inject(HA_SETTINGS) private readonly settings: HaSettings,
    @Inject(HA_CONSUL) private readonly consul: HaConsul,
    @Inject(HA_CLOCK) clock: Clock,
    @Inject(HA_ELECTOR) private readonly elector: Elector | null,
    private readonly term: ActingTerm,
    private readonly host: FullGraphHost,
    private readonly health: HaHealthService,
    private readonly metrics: HaMetrics,
    private readonly forwarding: HaForwarding,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.startedAt = new Date(clock.wallNow()).toISOString();
  }

  get instanceId(): string {
    return this.settings.identity.instanceId;
  }

  /** The acting term's answer (docs/architecture.md, "The term"): what the leader probe answers now. */
  get isActing(): boolean {
    return this.term.mayAct();
  }

  leaseStatus(): LeaseStatus {
    return this.term.leaseStatus();
  }

  status(): HaStatus {
    const t = this.settings.timings;
    const timings = {
      leaseMs: t.leaseMs,
      renewDeadlineMs: t.renewDeadlineMs,
      checkIntervalMs: t.healthCheckIntervalMs,
      checkTimeoutMs: checkTimeoutFor(t.healthCheckIntervalMs),
    };
    const acting = this.term.mayAct();
    if (!this.elector) {
      const leader = { id: this.instanceId, url: this.settings.identity.url };
      return { enabled: false, role: 'leader', acting, instanceId: this.instanceId, leader, term: 0, epoch: 0, since: this.startedAt, sessionId: null, timings };
    }
    const state = this.elector.current;
    const leader = this.elector.leader;
    return {
      enabled: true,
      role: roleOf(state),
      acting,
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
    if (!elector || !this.term.holdsLock) return false;
    // the answer (202) does not wait: the requests in the full graph finish first, then the elector releases
    void this.quiesce().then(() => {
      if (!elector.stepDown(candidate)) this.term.resume();
    });
    return true;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.elector) {
      this.logger.log(`HA enabled: instance ${this.instanceId} starts as backup, racing for ${this.settings.config.leaderKey}`);
      this.elector.start();
      return;
    }
    // HA off: one never-ending term, and a full graph that fails to boot stops startup like any module
    const signal = this.term.beginStandalone();
    await this.host.activate({ instanceId: this.instanceId, term: 0, since: this.startedAt, signal });
    if (!this.host.isUp) throw new Error('the full graph failed to start');
    this.term.serveStandalone();
    this.metrics.markStandalone();
  }

  /** The shutdown order: quiesce, release (the elector closes the full graph first), hand over. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.elector) {
      await this.quiesce();
      await this.elector.stop();
      await this.forwarding.handOver(this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined);
    } else {
      this.term.end();
      await this.host.deactivate('shutdown');
    }
    this.consul?.close?.();
  }

  /**
   * A leader about to give up the lock on purpose stops acting now (new requests are held for the
   * successor) and waits, bounded by ha.drainTimeoutInMillis, for what its full graph is serving.
   */
  private async quiesce(): Promise<void> {
    if (this.term.quiesce()) await this.host.idle(this.settings.timings.drainTimeoutMs);
  }

  /** After the HTTP server has closed: no health request can still be using the Elasticsearch client. */
  async onApplicationShutdown(): Promise<void> {
    await this.health.close();
  }
}
