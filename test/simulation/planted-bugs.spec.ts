import { describe, expect, it, jest } from '@jest/globals';
import * as realPredecessor from '../../libs/ha/src/election/predecessor.js';
import type { Predecessor } from '../../libs/ha/src/election/predecessor.js';
import { ConsulUnavailableError } from '../../libs/ha/src/consul/consul-errors.js';
import * as realMember from '../../libs/ha/src/failsafe/failsafe-member.js';
import type { Member } from '../../libs/ha/src/election/leader-value.js';
import type { FailsafeRequest, FailsafeVerdict } from '../../libs/ha/src/failsafe/failsafe-request.js';
import * as realRound from './sim-failsafe-round.js';
import type { Violation } from './invariants.js';
import type { SimulationResult } from './simulation.js';

/**
 * Planted bugs (docs/architecture.md § Deterministic simulation): each one is injected into the real code
 * path, and the simulation must catch it within a bounded number of seeds, with a replayable failure.
 * This proves the simulation can see what it claims to check, not only that the code is right.
 *
 * The modules are mocked once for the file (jest's ESM mocks are per file); each double behaves like the
 * real component unless its bug is the one planted now, so one file holds every planted bug.
 */
const PLANTED = {
  a: 'PLANTED BUG (a): rule 10 ignored, the predecessor is assumed stopped',
  b: "PLANTED BUG (b): a failsafe member confirms while it reaches Consul (its bounded ?consistent read always fails)",
  c: 'PLANTED BUG (c): a failsafe round reports every member confirmed once the first one did',
} as const;
let planted: keyof typeof PLANTED | null = null;

/**
 * (a) A leader that ignores rule 10: the takeover decision is fed a predecessor that "released cleanly"
 *     whatever the key says, so every new holder acts at once, even while the one before it may still act.
 */
const rule10Ignored: Predecessor = { kind: 'none', reason: PLANTED.a };
jest.unstable_mockModule('../../libs/ha/src/election/predecessor.js', () => ({
  ...realPredecessor,
  predecessorOf: (...args: Parameters<typeof realPredecessor.predecessorOf>): Predecessor => (planted === 'a' ? rule10Ignored : realPredecessor.predecessorOf(...args)),
  pendingTakeoverOf: (...args: Parameters<typeof realPredecessor.pendingTakeoverOf>): string | undefined => (planted === 'a' ? undefined : realPredecessor.pendingTakeoverOf(...args)),
}));

/**
 * (b) A member that confirms while it reaches Consul: the real FailsafeMember, whose bounded `?consistent`
 *     read is given a port that always fails (every other reading of the key goes through the real port).
 */
class MemberBlindToConsul extends realMember.FailsafeMember {
  constructor(deps: ConstructorParameters<typeof realMember.FailsafeMember>[0]) {
    const blind = { ...deps.consul, readKey: () => Promise.reject(new ConsulUnavailableError('readKey', PLANTED.b)) };
    super(planted === 'b' ? { ...deps, consul: blind } : deps);
  }
}
jest.unstable_mockModule('../../libs/ha/src/failsafe/failsafe-member.js', () => ({ ...realMember, FailsafeMember: MemberBlindToConsul }));

/**
 * (c) A failsafe extension without every member: the simulated round port, except that once one member
 *     of a round confirmed, every member of that round is reported confirmed (a refusal or a silence
 *     included, as long as it comes before the round's bound).
 */
class RoundConfirmedByOne extends realRound.SimFailsafeRound {
  /** Per round (the controller asks every member at once, with one request object): its first confirmation. */
  private readonly firstConfirmed = new WeakMap<FailsafeRequest, { promise: Promise<void>; resolve: () => void }>();

  override ask(member: Member, request: FailsafeRequest, signal: AbortSignal): Promise<FailsafeVerdict> {
    if (planted !== 'c') return super.ask(member, request, signal);
    const first = this.firstConfirmed.get(request) ?? deferred();
    this.firstConfirmed.set(request, first);
    const own = super.ask(member, request, signal);
    void own.then((verdict) => verdict.confirmed && first.resolve());
    const byAnother = first.promise.then((): FailsafeVerdict => ({ confirmed: true }));
    // a refusal waits for another member's confirmation until the round's bound
    return Promise.race([byAnother, own.then((v) => (v.confirmed ? v : Promise.race([byAnother, untilAborted(signal).then(() => v)])))]);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}
jest.unstable_mockModule('./sim-failsafe-round.js', () => ({ ...realRound, SimFailsafeRound: RoundConfirmedByOne }));

const { runSimulation, describeFailure } = await import('./simulation.js');
const { silenceNestLogger } = await import('./sim-graph.js');
silenceNestLogger();

/** Seeds tried before a planted bug counts as missed: each is caught within the first few dozen. */
const SEED_BUDGET = 300;

/** Runs seeds from 1 with `bug` planted until one shows `property`; replays that seed; returns both. */
async function catchPlanted(bug: keyof typeof PLANTED, property: Violation['property']): Promise<{ caught: SimulationResult; replay: SimulationResult } | null> {
  planted = bug;
  try {
    for (let seed = 1; seed <= SEED_BUDGET; seed++) {
      const result = await runSimulation({ seed, profile: 'short', planted: PLANTED[bug] });
      if (result.violations.some((v) => v.property === property)) {
        return { caught: result, replay: await runSimulation({ seed, profile: 'short', planted: PLANTED[bug] }) };
      }
    }
    return null;
  } finally {
    planted = null;
  }
}

function expectCaught(found: Awaited<ReturnType<typeof catchPlanted>>, bug: keyof typeof PLANTED, property: Violation['property'], text: string): void {
  expect(found).not.toBeNull();
  const { caught, replay } = found!;
  const failure = describeFailure(caught);
  const lines = failure.split('\n');
  // what a red run would show first: the verdict and how to replay it (the bug planted again)
  process.stdout.write(`planted bug (${bug}) caught at seed ${caught.seed} of ${SEED_BUDGET} allowed: ${lines[0]}\n${lines.at(-1)}\n`);
  expect(failure).toContain(`[${property}]`);
  expect(failure).toContain(text);
  expect(failure).toContain(PLANTED[bug]);
  expect(failure).toContain(`replay: npm run sim -- --seed ${caught.seed} --profile short`);
  // replayed, the seed fails the same way (the schedule alone reproduces it)
  expect(replay.violations).toEqual(caught.violations);
}

describe('planted bugs are caught', () => {
  it('(a) a leader that ignores rule 10: two instances acting at once, with a replayable seed', async () => {
    expectCaught(await catchPlanted('a', 'one-acting'), 'a', 'one-acting', 'instances acting at once');
  }, 300_000);

  it('(b) a failsafe member that confirms while it reaches Consul: a confirmation outside a shared outage, with a replayable seed', async () => {
    expectCaught(await catchPlanted('b', 'failsafe-shared-outage'), 'b', 'failsafe-shared-outage', 'although its agent reached the servers');
  }, 300_000);

  it('(c) a failsafe extension without every member: two instances acting at once, with a replayable seed', async () => {
    expectCaught(await catchPlanted('c', 'one-acting'), 'c', 'one-acting', 'instances acting at once');
  }, 300_000);
});
