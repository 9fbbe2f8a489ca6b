import type { Clock } from '../clock/clock.port.js';
import type { HaTimings } from '../config/ha-timings.js';
import type { ConsulPort } from '../consul/consul.port.js';
import type { HaSettings } from '../ha-runtime.js';
import type { ElectorFailsafe } from './elector-failsafe.js';
import { FailsafeMember } from './failsafe-member.js';
import { HttpFailsafeRound } from './failsafe-round.js';
import type { FailsafeRoundPort } from './failsafe-request.js';

/** The timings rule 13's parts are built from (a subset of HaTimings, so a test can give its own). */
export type FailsafeWiringTimings = Pick<
  HaTimings,
  'leaseMs' | 'takeoverMarginMs' | 'healthCheckIntervalMs' | 'failsafeMaxMs' | 'failsafeRoundIntervalMs' | 'failsafeRoundTimeoutMs' | 'failsafeProofOverdueMs' | 'failsafeConsulCheckMs'
>;

/**
 * Rule 13's parts from the settings: null when ha.failsafe is off or no ha.adminToken is set (the round's
 * route needs it on both ends, docs/architecture.md §3).
 */
export function electorFailsafeFor(settings: HaSettings, consul: ConsulPort, clock: Clock, epoch: () => number): ElectorFailsafe | null {
  const { config, timings, identity } = settings;
  if (!config.failsafe || timings.failsafeMaxMs <= 0 || config.adminToken === undefined) return null;
  const round = new HttpFailsafeRound({ adminToken: config.adminToken });
  return electorFailsafeOf({ consul, clock, epoch, round, timings, key: identity.leaderKey, selfId: identity.instanceId, protocol: config.serverProtocol });
}

/**
 * Rule 13's parts, given how members are asked: over HTTP in production, over the simulated network in
 * the deterministic simulation (docs/architecture.md §8), which so builds them exactly as production does.
 */
export function electorFailsafeOf(parts: {
  consul: ConsulPort;
  clock: Clock;
  key: string;
  selfId: string;
  protocol: string;
  round: FailsafeRoundPort;
  epoch: () => number;
  timings: FailsafeWiringTimings;
}): ElectorFailsafe {
  const { consul, clock, key, selfId, timings } = parts;
  return {
    member: new FailsafeMember({
      consul,
      clock,
      key,
      selfId,
      enabled: true,
      timings: { promiseMs: timings.leaseMs + timings.takeoverMarginMs, consulCheckMs: timings.failsafeConsulCheckMs },
    }),
    round: parts.round,
    epoch: parts.epoch,
    protocol: parts.protocol,
    timings: {
      maxMs: timings.failsafeMaxMs,
      roundIntervalMs: timings.failsafeRoundIntervalMs,
      roundTimeoutMs: timings.failsafeRoundTimeoutMs,
      proofOverdueMs: timings.failsafeProofOverdueMs,
      // a backup whose check starts passing is listed within a check period
      membersIntervalMs: timings.healthCheckIntervalMs,
    },
  };
}
