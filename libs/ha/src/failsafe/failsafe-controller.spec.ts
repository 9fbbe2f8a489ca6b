import { afterEach, describe, expect, it } from '@jest/globals';
import type { ElectionState } from '../election/election-state.js';
import type { Member } from '../election/leader-value.js';
import { ObservationChannel } from '../election/observation-channel.js';
import { FakeClock } from '../testing/fake-clock.js';
import { FailsafeController } from './failsafe-controller.js';
import type { FailsafeVerdict } from './failsafe-request.js';

const TIMINGS = { roundIntervalMs: 100, roundTimeoutMs: 100, proofOverdueMs: 0 };
const MEMBERS: Member[] = [
  { id: 'a', url: 'http://a' },
  { id: 'b', url: 'http://b' },
];
const LEADER: ElectionState = { kind: 'leader', sessionId: 's', term: 3, since: 0, lease: { renewedAt: 0, provenAt: 0, lapsed: false } };

/** The leader's round pace (rule 13): a round is sent every interval while proofs are overdue. */
describe('FailsafeController', () => {
  const clock = new FakeClock();
  const channel = new ObservationChannel();
  let controller: FailsafeController | undefined;

  afterEach(() => controller?.stop());

  /** Starts a controller whose member b answers each round as `answer` says; returns the send times. */
  function start(answer: (round: number, signal: AbortSignal) => Promise<FailsafeVerdict>): number[] {
    const sent: number[] = [];
    controller = new FailsafeController({
      clock,
      channel,
      round: { ask: (_member, _request, signal) => answer(sent.push(clock.now()), signal) },
      selfId: 'a',
      state: () => LEADER,
      members: () => MEMBERS,
      epoch: () => 1,
      timings: TIMINGS,
    });
    controller.start();
    return sent;
  }

  const unanswered = (signal: AbortSignal) =>
    new Promise<FailsafeVerdict>((resolve) => signal.addEventListener('abort', () => resolve({ confirmed: false, reason: 'no answer in time' }), { once: true }));

  it('sends the next round at once after one cut by its bound, so that a silent round costs one bound, not a bound and a pause', async () => {
    const origin = clock.now();
    const sent = start((n, signal) => (n === 1 ? unanswered(signal) : Promise.resolve({ confirmed: true })));
    await clock.advance(450);
    expect(sent.map((t) => t - origin)).toEqual([100, 200, 300, 400]);
  });

  it('keeps sending rounds after a refusal (a later round may be confirmed), at the interval pace', async () => {
    const origin = clock.now();
    const sent = start((n) => Promise.resolve(n === 1 ? { confirmed: false, reason: 'this instance reaches consul' } : { confirmed: true }));
    await clock.advance(350);
    expect(sent.map((t) => t - origin)).toEqual([100, 200, 300]);
  });
});
