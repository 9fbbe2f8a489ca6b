import type { FailsafeRoundTimings } from './failsafe-controller.js';
import type { FailsafeMember } from './failsafe-member.js';
import type { FailsafeRoundPort } from './failsafe-request.js';

/**
 * What the elector needs for rule 13 (docs/architecture.md), given only when `ha.failsafe` is on: the
 * member's record and promise, the way to ask members, the fencing epoch to quote, and the timings.
 */
export interface ElectorFailsafe {
  member: FailsafeMember;
  round: FailsafeRoundPort;
  epoch: () => number;
  /** `ha.serverProtocol`: the scheme of every member's URL. */
  protocol: string;
  timings: FailsafeRoundTimings & {
    /** ha.failsafeMaxInSecond: the longest a leader acts on failsafe rounds in a row. */
    maxMs: number;
    /** How often the leader refreshes the key's members. */
    membersIntervalMs: number;
  };
}
