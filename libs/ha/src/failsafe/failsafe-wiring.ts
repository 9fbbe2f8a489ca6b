import type { Clock } from '../clock/clock.port.js';
import type { ConsulPort } from '../consul/consul.port.js';
import type { HaSettings } from '../ha-runtime.js';
import type { ElectorFailsafe } from './elector-failsafe.js';
import { FailsafeMember } from './failsafe-member.js';
import { HttpFailsafeRound } from './failsafe-round.js';

/**
 * Rule 13's parts from the settings: null when ha.failsafe is off or no ha.adminToken is set (the round's
 * route needs it on both ends, docs/architecture.md §3).
 */
export function electorFailsafeFor(settings: HaSettings, consul: ConsulPort, clock: Clock, epoch: () => number): ElectorFailsafe | null {
  const { config, timings, identity } = settings;
  if (!config.failsafe || timings.failsafeMaxMs <= 0 || config.adminToken === undefined) return null;
  return {
    member: new FailsafeMember({
      consul,
      clock,
      key: identity.leaderKey,
      selfId: identity.instanceId,
      enabled: true,
      timings: { promiseMs: timings.leaseMs + timings.takeoverMarginMs, consulCheckMs: timings.failsafeConsulCheckMs },
    }),
    round: new HttpFailsafeRound({ adminToken: config.adminToken }),
    epoch,
    protocol: config.serverProtocol,
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
