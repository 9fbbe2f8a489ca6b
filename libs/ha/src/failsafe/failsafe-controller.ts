import type { Clock } from '../clock/clock.port.js';
import { linkedSignal } from '../clock/linked-signal.js';
import { BackgroundDuty } from '../election/background-duty.js';
import type { ElectionState } from '../election/election-state.js';
import type { Member } from '../election/leader-value.js';
import type { ObservationChannel } from '../election/observation-channel.js';
import type { FailsafeRequest, FailsafeRoundPort } from './failsafe-request.js';

export interface FailsafeRoundTimings {
  /** How often the controller looks, and how often rounds repeat while Consul does not answer. */
  roundIntervalMs: number;
  /** Bound of one round: a member silent for this long ends the failsafe. */
  roundTimeoutMs: number;
  /** A proof older than this means Consul does not answer the leader: rounds start. */
  proofOverdueMs: number;
}

/**
 * The leader's side of rule 13 (docs/architecture.md): while this instance acts and its proofs of
 * ownership are overdue (Consul does not answer it), it asks every member the key lists to confirm, in
 * parallel, and posts the outcome; decide() extends acting to the round's send time + lease when all
 * confirmed. One refusal, error or silence ends the failsafe until a real proof comes back.
 */
export class FailsafeController extends BackgroundDuty {
  /** The proof time of the run that a refusal ended: no more rounds until a later proof. */
  private endedForProofAt = -Infinity;

  constructor(
    private readonly deps: {
      clock: Clock;
      channel: ObservationChannel;
      round: FailsafeRoundPort;
      selfId: string;
      state: () => ElectionState;
      /** Whom to ask (the key's members, self excluded by the controller); null: none written yet. */
      members: () => Member[] | null;
      epoch: () => number;
      timings: FailsafeRoundTimings;
    },
  ) {
    super();
  }

  protected async loop(): Promise<void> {
    const { clock, timings } = this.deps;
    while (!this.stopper.signal.aborted) {
      await clock.sleep(timings.roundIntervalMs, this.stopper.signal).catch(() => undefined);
      const state = this.deps.state();
      if (this.stopper.signal.aborted || state.kind !== 'leader' || state.lease.lapsed) continue;
      if (clock.now() - state.lease.provenAt < timings.proofOverdueMs || state.lease.provenAt <= this.endedForProofAt) continue;
      await this.round(state);
    }
  }

  private async round(state: Extract<ElectionState, { kind: 'leader' }>): Promise<void> {
    const { clock, channel, round, selfId, timings } = this.deps;
    const listed = this.deps.members();
    if (!listed) return this.end(state, 'no members list written to the key yet');
    const others = listed.filter((member) => member.id !== selfId);
    const request: FailsafeRequest = { leaderId: selfId, sessionId: state.sessionId, term: state.term, epoch: this.deps.epoch() };
    const bound = new AbortController();
    const done = new AbortController();
    const boundEnds = linkedSignal([done.signal, this.stopper.signal]);
    void clock.sleep(timings.roundTimeoutMs, boundEnds.signal).then(() => bound.abort(), () => undefined);
    const sentAt = clock.now();
    try {
      const verdicts = await Promise.all(others.map(async (member) => ({ member, verdict: await round.ask(member, request, bound.signal) })));
      if (this.stopper.signal.aborted) return;
      const refused = verdicts.find(({ verdict }) => !verdict.confirmed);
      if (refused && !refused.verdict.confirmed) return this.end(state, `${refused.member.id} did not confirm: ${refused.verdict.reason}`);
      if (bound.signal.aborted) return this.end(state, `no full answer within ${timings.roundTimeoutMs} ms`);
      channel.post({ type: 'failsafe-confirmed', sentAt, members: others.length });
    } finally {
      done.abort();
      boundEnds.dispose();
    }
  }

  private end(state: Extract<ElectionState, { kind: 'leader' }>, detail: string): void {
    this.endedForProofAt = state.lease.provenAt;
    this.deps.channel.post({ type: 'failsafe-refused', detail });
  }
}
