import type { Member } from '../../libs/ha/src/election/leader-value.js';
import type { FailsafeRequest, FailsafeRoundPort, FailsafeVerdict } from '../../libs/ha/src/failsafe/failsafe-request.js';
import type { SimNetwork } from './sim-network.js';
import type { SimProcess } from './sim-process.js';

/** What a round needs of the member it asks: its current incarnation answers, or nobody listens there. */
export interface FailsafeAnswerer {
  /** Runs in the member's process (through its gate); null when no process listens (connection refused). */
  answerFailsafe(request: FailsafeRequest): Promise<FailsafeVerdict> | null;
}

/**
 * Rule 13's round as one leader incarnation asks it (docs/architecture.md § Deterministic simulation): the
 * decisions of `POST /rest/admin/ha/failsafe`, not its HTTP. The request is a message over the simulated
 * network to the member's current incarnation, answered there by its real FailsafeMember.confirm(); the
 * answer comes back through this process's gate. A crashed member refuses; a cut link or a frozen member
 * is silence, which the round's bound (the signal) turns into "no answer in time".
 */
export class SimFailsafeRound implements FailsafeRoundPort {
  constructor(
    private readonly deps: {
      selfId: string;
      process: SimProcess;
      network: SimNetwork;
      member: (id: string) => FailsafeAnswerer | undefined;
    },
  ) {}

  ask(member: Member, request: FailsafeRequest, signal: AbortSignal): Promise<FailsafeVerdict> {
    const { selfId, process, network } = this.deps;
    return new Promise<FailsafeVerdict>((resolve) => {
      let settled = false;
      const answer = (verdict: FailsafeVerdict) =>
        process.deliver(() => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve(verdict);
        });
      const onAbort = () => answer({ confirmed: false, reason: 'no answer in time' });
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      network.send(selfId, member.id, () => {
        const asked = this.deps.member(member.id)?.answerFailsafe(request);
        if (!asked) return network.send(member.id, selfId, () => answer({ confirmed: false, reason: 'connect ECONNREFUSED' }));
        void asked.then((verdict) => network.send(member.id, selfId, () => answer(verdict)));
      });
    });
  }
}
