import { describe, expect, it, jest } from '@jest/globals';
import type { Predecessor } from '../../libs/ha/src/election/predecessor.js';

/**
 * Planted bugs (docs/architecture.md § Deterministic simulation): each one is injected into the real code
 * path, and the simulation must catch it within a bounded number of seeds, with a replayable failure.
 * This proves the simulation can see what it claims to check, not only that the code is right.
 *
 * (a) A leader that ignores rule 10: the takeover decision is fed a predecessor that "released cleanly"
 *     whatever the key says, so every new holder acts at once, even while the one before it may still act.
 */
const rule10Ignored: Predecessor = { kind: 'none', reason: 'PLANTED BUG: rule 10 ignored, the predecessor is assumed stopped' };
jest.unstable_mockModule('../../libs/ha/src/election/predecessor.js', () => ({
  predecessorOf: (): Predecessor => rule10Ignored,
  pendingTakeoverOf: (): string | undefined => undefined,
}));

const { runSimulation, describeFailure } = await import('./simulation.js');
const { silenceNestLogger } = await import('./sim-graph.js');
silenceNestLogger();

/** Seeds tried before the planted bug counts as missed: it is caught within the first few dozen. */
const SEED_BUDGET = 300;

describe('planted bugs are caught', () => {
  it('(a) a leader that ignores rule 10: two instances acting at once, with a replayable seed', async () => {
    let caught = null;
    for (let seed = 1; seed <= SEED_BUDGET && !caught; seed++) {
      const result = await runSimulation({ seed, profile: 'short' });
      if (result.violations.some((v) => v.property === 'one-acting')) caught = result;
    }
    expect(caught).not.toBeNull();
    const failure = describeFailure(caught!);
    expect(failure).toContain('instances acting at once');
    expect(failure).toContain('PLANTED BUG: rule 10 ignored');
    expect(failure).toContain(`replay: npm run sim -- --seed ${caught!.seed} --profile short`);
    // replayed, the seed fails the same way (the schedule alone reproduces it)
    const replay = await runSimulation({ seed: caught!.seed, profile: 'short' });
    expect(replay.violations).toEqual(caught!.violations);
  }, 300_000);
});
