import type { Clock } from '../clock/clock.port.js';
import { checkTimeoutFor } from '../config/ha-timings.js';
import { SessionRefusedError, describeError } from '../consul/consul-errors.js';
import type { ConsulPort } from '../consul/consul.port.js';
import { AcquireAttempt } from './acquire-attempt.js';
import type { ElectorFailsafe } from '../failsafe/elector-failsafe.js';
import type { ElectionState } from './election-state.js';
import type { LeaderValue } from './leader-value.js';
import type { Observation } from './observation.js';
import type { ElectorIdentity, ElectorTimings, LocalHealthPort, PeerProbePort } from './ports.js';

type Acquiring = Extract<ElectionState, { kind: 'acquiring' }>;

/**
 * The I/O of the race for the lock, one observation per call, for the loop to hand to decide(): the
 * service registration, the backup's look at its health and check before creating a session, the renew
 * of that session while acquiring, and one acquire attempt. Consul errors are thrown; the loop turns
 * them into observations.
 */
export class RaceSteps {
  private registered = false;
  private readonly attempt: AcquireAttempt;
  private readonly serviceId: string;
  private readonly checkId: string;

  constructor(
    private readonly deps: {
      consul: ConsulPort;
      clock: Clock;
      health: LocalHealthPort;
      identity: ElectorIdentity;
      timings: ElectorTimings;
      leaderValue: (term: number, since: number, takeoverPending?: string) => LeaderValue;
      /** Rule 13 (docs/architecture.md): present when ha.failsafe is on. */
      failsafe?: ElectorFailsafe;
      /** Rule 10's probe of another instance; rule 13 asks it too (a gone leader lets the unlisted race). */
      peers?: PeerProbePort;
    },
  ) {
    this.serviceId = `${deps.identity.serviceName}-${deps.identity.instanceId}`;
    this.checkId = `service:${this.serviceId}`;
    this.attempt = new AcquireAttempt({
      consul: deps.consul,
      clock: deps.clock,
      health: deps.health,
      identity: deps.identity,
      timings: {
        blockingWaitMs: deps.timings.blockingWaitMs,
        // rule 13: a leader on failsafe acts at most failsafeMax past its lease, then its lease + margin runs out
        unlistedWaitMs: deps.failsafe ? deps.failsafe.timings.maxMs + deps.timings.leaseMs + deps.timings.takeoverMarginMs : 0,
      },
      leaderValue: deps.leaderValue,
      keySeen: (entry) => deps.failsafe?.member.keySeen(entry),
      peers: deps.peers,
    });
  }

  /** The leader as last read from the key while racing (null when free). */
  get lastValue(): LeaderValue | null {
    return this.attempt.lastValue;
  }

  /** The session holding the key at the last read, with its value (rule 14's watch follows it). */
  get lastHolder(): { sessionId: string; value: LeaderValue } | null {
    return this.attempt.lastHolder;
  }

  /** Rule 14: destroys an earlier session of this instance. */
  async destroyStale(sessionId: string): Promise<void> {
    await this.deps.consul.destroySession(sessionId);
  }

  /** Start over with a plain read of the key (a new session, or after an error). */
  reset(): void {
    this.attempt.reset();
  }

  /** The agent lost our registration (decide() said so): the next backup step registers again. */
  forgetRegistration(): void {
    this.registered = false;
  }

  /** Registers if needed, then: own health (rule 8), Consul's check, and a new session. */
  async backupStep(): Promise<Observation> {
    const { consul, identity, timings } = this.deps;
    if (!this.registered) await this.register();
    const health = await this.deps.health.check();
    if (!health.up) return { type: 'unhealthy', detail: health.detail };
    const status = await consul.checkStatus(this.checkId);
    if (status === undefined) return { type: 'check-missing', checkId: this.checkId };
    if (status !== 'passing') return { type: 'check-not-passing', detail: `${this.checkId} is ${status}` };
    const sentAt = this.deps.clock.now();
    try {
      const sessionId = await consul.createSession({
        name: `${identity.serviceName}-leader-${identity.instanceId}`,
        serviceCheckIds: [this.checkId],
        ttlSeconds: timings.sessionTtlMs / 1000,
        lockDelaySeconds: timings.lockDelayMs / 1000,
      });
      // the TTL runs from (after) the create, like from a renew
      return { type: 'session-created', sessionId, sentAt };
    } catch (error) {
      if (error instanceof SessionRefusedError) return { type: 'check-not-passing', detail: error.detail };
      throw error;
    }
  }

  /** Renews the session while acquiring: nobody acts on it yet, so a plain renew is enough here. */
  async renew(sessionId: string, onError: (detail: string) => void): Promise<Observation> {
    const sentAt = this.deps.clock.now();
    try {
      if (!(await this.deps.consul.renewSession(sessionId))) return { type: 'session-gone' };
      return { type: 'renewed', sentAt };
    } catch (error) {
      onError(describeError(error));
      return { type: 'consul-unavailable', detail: describeError(error) };
    }
  }

  /** Own health first (rule 8), then one attempt, its blocking read bounded by the next renew. */
  async acquireStep(state: Acquiring, untilRenewMs: number, signal: AbortSignal): Promise<Observation> {
    const health = await this.deps.health.check();
    if (!health.up) return { type: 'unhealthy', detail: health.detail };
    return this.attempt.run(state.sessionId, untilRenewMs, signal, state.standBack?.over ? state.standBack.modifyIndex : null);
  }

  async deregister(): Promise<void> {
    if (!this.registered) return;
    this.registered = false;
    await this.deps.consul.deregisterService(this.serviceId);
  }

  private async register(): Promise<void> {
    const { identity, timings } = this.deps;
    await this.deps.consul.registerService({
      id: this.serviceId,
      name: identity.serviceName,
      address: identity.address,
      port: identity.port,
      checkId: this.checkId,
      checkUrl: identity.checkUrl,
      checkIntervalMs: timings.healthCheckIntervalMs,
      checkTimeoutMs: checkTimeoutFor(timings.healthCheckIntervalMs),
      tlsSkipVerify: false,
    });
    this.registered = true;
  }
}
