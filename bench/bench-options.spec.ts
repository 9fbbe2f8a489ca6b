import { describe, expect, it } from '@jest/globals';
import { configurations, DEFAULTS, parseBenchArgs } from './bench-options.js';

describe('parseBenchArgs', () => {
  it('keeps the defaults and overrides what is given', () => {
    expect(parseBenchArgs([])).toEqual(DEFAULTS);
    expect(parseBenchArgs(['--sizes', '2,3', '--kills', '2', '--timeline', '2x1'])).toEqual({ ...DEFAULTS, sizes: [2, 3], kills: 2, timeline: '2x1' });
  });

  it('reports every problem at once, with the usage', () => {
    expect(() => parseBenchArgs(['--sizes', '1', '--kills', 'many', '--colour', 'red'])).toThrow(
      /--sizes: expected an integer 2-20, got "1"\n--kills: expected an integer 0-1000, got "many"\nunknown option --colour\nusage:/,
    );
  });
});

describe('configurations', () => {
  it('runs every size at every period, a slower period weighing more in the time budget', () => {
    const plan = configurations({ ...DEFAULTS, sizes: [2, 10], periods: [1, 5] });
    expect(plan.map((c) => c.key)).toEqual(['2x1', '2x5', '10x1', '10x5']);
    expect(plan[1]!.weight).toBeGreaterThan(plan[0]!.weight);
  });
});
