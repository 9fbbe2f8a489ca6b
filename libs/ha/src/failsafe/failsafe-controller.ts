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
  /** Bound of one round: a member silent for this long leaves the round unconfirmed. */
  roundTimeoutMs: number;
  /** A proof older than this means Consul does not answer the leader: rounds start. */
  proofOverdueMs: number;
}

/**
 * The leader's side of rule 13 (docs/architecture.md): while this instance acts and its proofs of
 * ownership are overdue (Consul does not answer it), it asks every member the key lists to confirm, in
 * parallel, and posts the outcome; decide() extends acting to the round's send time + lease when all
 * confirmed. A round with one refusal, error or silence extends nothing, and the leader stops when the
 * last extension runs out, unless a later round is confirmed before that: a member slow once (a GC pause,
 * a lost packet) does not end a failsafe, one that refuses for good fails every later round too, and a
 * lapsed lease is never revived by a round (docs/architecture.md, rule 13). After a round cut by its
 * bound the next one goes out at once, so that a silent round costs one bound, not a bound and a pause.
 */
export class FailsafeController extends BackgroundDuty {
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
    let again = false;
    while (!this.stopper.signal.aborted) {
      if (!again) await clock.sleep(timings.roundIntervalMs, this.stopper.signal).catch(() => undefined);
      again = false;
      const state = this.deps.state();
      if (this.stopper.signal.aborted || state.kind !== 'leader' || state.lease.lapsed) continue;
      if (clock.now() - state.lease.provenAt < timings.proofOverdueMs) continue;
      // a round cut by its bound already waited that long: the next goes out at once
      again = (await this.round(state)) === 'unanswered';
    }
  }

  private async round(state: Extract<ElectionState, { kind: 'leader' }>): Promise<'confirmed' | 'refused' | 'unanswered'> {
    const { clock, channel, round, selfId, timings } = this.deps;
    const listed = this.deps.members();
    if (!listed) return this.notConfirmed('no members list written to the key yet', 'refused');
    const others = listed.filter((member) => member.id !== selfId);
    const request: FailsafeRequest = { leaderId: selfId, sessionId: state.sessionId, term: state.term, epoch: this.deps.epoch() };
    const bound = new AbortController();
    const done = new AbortController();
    const boundEnds = linkedSignal([done.signal, this.stopper.signal]);
    void clock.sleep(timings.roundTimeoutMs, boundEnds.signal).then(() => bound.abort(), () => undefined);
    const sentAt = clock.now();
    try {
      const verdicts = await Promise.all(others.map(async (member) => ({ member, verdict: await round.ask(member, request, bound.signal) })));
      if (this.stopper.signal.aborted) return 'refused';
      const outcome = bound.signal.aborted ? 'unanswered' : 'refused';
      const refused = verdicts.find(({ verdict }) => !verdict.confirmed);
      if (refused && !refused.verdict.confirmed) return this.notConfirmed(`${refused.member.id} did not confirm: ${refused.verdict.reason}`, outcome);
      if (bound.signal.aborted) return this.notConfirmed(`no full answer within ${timings.roundTimeoutMs} ms`, outcome);
      channel.post({ type: 'failsafe-confirmed', sentAt, members: others.length });
      return 'confirmed';
    } finally {
      done.abort();
      boundEnds.dispose();
    }
  }

  private notConfirmed<T extends 'refused' | 'unanswered'>(detail: string, outcome: T): T {
    this.deps.channel.post({ type: 'failsafe-refused', detail });
    return outcome;
  }
}
