import type { Clock } from '../../libs/ha/src/clock/clock.port.js';
import { failsafeTimings } from '../../libs/ha/src/config/ha-timings.js';
import type { ConsulPort } from '../../libs/ha/src/consul/consul.port.js';
import type { ElectorTimings } from '../../libs/ha/src/election/ports.js';
import type { ElectorFailsafe } from '../../libs/ha/src/failsafe/elector-failsafe.js';
import type { FailsafeRoundPort } from '../../libs/ha/src/failsafe/failsafe-request.js';
import { electorFailsafeOf } from '../../libs/ha/src/failsafe/failsafe-wiring.js';
import type { ActingTerm } from '../../libs/ha/src/term/acting-term.js';

/**
 * ha.failsafeMaxInSecond of the simulated instances: shorter than the default (300 s) so that a run of
 * half a minute sees a leader reach the cap, and an unlisted instance's wait (cap + lease + margin) end.
 */
export const SIM_FAILSAFE_MAX_IN_SECOND = 10;

/**
 * Rule 13's parts of one process incarnation, built as production builds them (failsafe-wiring.ts, with
 * the timings ha-timings.ts derives from the simulated lease) over the incarnation's own Consul port and
 * clock, asking members through `round`; the member's promise is bound into the term as
 * failsafe-providers.ts binds it.
 */
export function simFailsafe(parts: {
  selfId: string;
  key: string;
  consul: ConsulPort;
  clock: Clock;
  term: ActingTerm;
  timings: ElectorTimings;
  round: FailsafeRoundPort;
  epoch: () => number;
}): ElectorFailsafe {
  const { leaseMs, proveIntervalMs, proveRetryMs } = parts.timings;
  const failsafe = electorFailsafeOf({
    ...parts,
    protocol: 'http',
    timings: { ...parts.timings, ...failsafeTimings({ failsafe: true, failsafeMaxInSecond: SIM_FAILSAFE_MAX_IN_SECOND }, leaseMs, proveIntervalMs, proveRetryMs) },
  });
  parts.term.restrain((now) => failsafe.member.promiseBinds(now));
  return failsafe;
}
