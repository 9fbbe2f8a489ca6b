import type { Clock } from '../clock/clock.port.js';
import type { ConsulPort } from '../consul/consul.port.js';
import type { Elector } from '../election/elector.js';
import type { ActingTerm } from '../term/acting-term.js';
import type { Member } from '../election/leader-value.js';
import type { ElectorTimings } from '../election/ports.js';
import type { ElectorFailsafe } from '../failsafe/elector-failsafe.js';
import { FailsafeMember } from '../failsafe/failsafe-member.js';
import type { FailsafeRequest, FailsafeRoundPort, FailsafeVerdict } from '../failsafe/failsafe-request.js';

/**
 * Rule 13's round between in-memory instances, as the HTTP route would carry it: a member answers from
 * its own elector and record, unless the test made it dead (refused) or silent (frozen, cut off: no answer
 * until the round's bound).
 */
export class FailsafeNetwork implements FailsafeRoundPort {
  private readonly members = new Map<string, { member: FailsafeMember; instance: () => { elector: Elector; term: ActingTerm } }>();
  readonly dead = new Set<string>();
  readonly silent = new Set<string>();
  /** Silent for the next round only (a member slow once: a GC pause, a lost packet). */
  readonly silentOnce = new Set<string>();
  /** Every answer, as `<member>:<confirmed|reason>`. */
  readonly answers: string[] = [];

  register(id: string, member: FailsafeMember, instance: () => { elector: Elector; term: ActingTerm }): void {
    this.members.set(id, { member, instance });
  }

  async ask(target: Member, request: FailsafeRequest, signal: AbortSignal): Promise<FailsafeVerdict> {
    const peer = this.members.get(target.id);
    if (!peer || this.dead.has(target.id)) return this.note(target, { confirmed: false, reason: 'connect ECONNREFUSED' });
    if (this.silent.has(target.id) || this.silentOnce.delete(target.id)) {
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      return this.note(target, { confirmed: false, reason: 'no answer in time' });
    }
    const { elector, term } = peer.instance();
    const answer = await peer.member.confirm(request, () => ({ holdsLock: elector.holdsOrReleasesLock(), acting: term.mayAct() }));
    return this.note(target, answer.confirmed ? { confirmed: true } : answer);
  }

  private note(target: Member, verdict: FailsafeVerdict): FailsafeVerdict {
    this.answers.push(`${target.id}:${verdict.confirmed ? 'confirmed' : verdict.reason}`);
    return verdict;
  }
}

/** Rule 13's parts for one in-memory instance, with timings derived from the elector's as ha-timings.ts does. */
export function testFailsafe(
  network: FailsafeNetwork,
  instance: { id: string; consul: ConsulPort; clock: Clock; timings: ElectorTimings; maxMs: number },
): ElectorFailsafe {
  const { leaseMs, proveIntervalMs, proveRetryMs, takeoverMarginMs, healthCheckIntervalMs } = instance.timings;
  const roundMs = Math.floor(((leaseMs - proveIntervalMs - proveRetryMs) * 2) / 5);
  const member = new FailsafeMember({
    consul: instance.consul,
    clock: instance.clock,
    key: 'service/a4c/leader',
    selfId: instance.id,
    enabled: true,
    timings: { promiseMs: leaseMs + takeoverMarginMs, consulCheckMs: Math.floor(roundMs / 2) },
  });
  return {
    member,
    round: network,
    epoch: () => 7,
    protocol: 'http',
    timings: { maxMs: instance.maxMs, roundIntervalMs: roundMs, roundTimeoutMs: roundMs, proofOverdueMs: proveIntervalMs + proveRetryMs, membersIntervalMs: healthCheckIntervalMs },
  };
}
