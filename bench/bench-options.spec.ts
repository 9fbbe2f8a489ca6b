import { describe, expect, it } from '@jest/globals';
import { agentLossRuns, configurations, DEFAULTS, parseBenchArgs } from './bench-options.js';

describe('parseBenchArgs', () => {
  it('keeps the defaults and overrides what is given', () => {
    expect(parseBenchArgs([])).toEqual(DEFAULTS);
    expect(parseBenchArgs(['--sizes', '2,3', '--kills', '2', '--timeline', '2x1'])).toEqual({ ...DEFAULTS, sizes: [2, 3], kills: 2, timeline: '2x1' });
    expect(parseBenchArgs(['--peer-detection', 'off'])).toEqual({ ...DEFAULTS, peerDetection: [false] });
  });

  it('reports every problem at once, with the usage', () => {
    expect(() => parseBenchArgs(['--sizes', '1', '--kills', 'many', '--colour', 'red'])).toThrow(
      /--sizes: expected an integer 2-20, got "1"\n--kills: expected an integer 0-1000, got "many"\nunknown option --colour\nusage:/,
    );
    expect(() => parseBenchArgs(['--peer-detection', 'maybe'])).toThrow(/--peer-detection: expected on, off or on,off, got "maybe"/);
  });
});

describe('--only (a subset of the bench)', () => {
  it('switches off every part not named, and skips the configurations left with nothing to measure', () => {
    const options = parseBenchArgs(['--only', 'kills,agents', '--sizes', '3', '--periods', '1,5', '--peer-detection', 'on']);
    expect(options).toMatchObject({ kills: DEFAULTS.kills, handovers: 0, restarts: 0, idleSeconds: 0, agentLosses: DEFAULTS.agentLosses, only: ['kills', 'agents'] });
    expect(configurations(options).map((c) => c.key)).toEqual(['3x1', '3x5']);
    expect(agentLossRuns(options).map((r) => `${r.size}x${r.period}`)).toEqual(['3x1', '3x5']);
    const agentsOnly = parseBenchArgs(['--only', 'agents']);
    expect(configurations(agentsOnly)).toEqual([]);
    expect(agentLossRuns(parseBenchArgs(['--only', 'kills']))).toEqual([]);
  });

  it('names an unknown part', () => {
    expect(() => parseBenchArgs(['--only', 'kills,naps'])).toThrow(/--only: unknown part\(s\) naps \(expected kills, handovers, restarts, idle, agents, forwarding\)/);
  });
});

describe('configurations', () => {
  it('runs every size at every period, a slower period weighing more in the time budget', () => {
    const plan = configurations({ ...DEFAULTS, sizes: [2, 10], periods: [1, 5], peerDetection: [true] });
    expect(plan.map((c) => c.key)).toEqual(['2x1', '2x5', '10x1', '10x5']);
    expect(plan[1]!.weight).toBeGreaterThan(plan[0]!.weight);
  });

  it('runs each of them with peer detection on and off, without detection weighing more', () => {
    const plan = configurations({ ...DEFAULTS, sizes: [2], periods: [5] });
    expect(plan.map((c) => `${c.key} ${c.peerDetection ? 'on' : 'off'}`)).toEqual(['2x5 on', '2x5 off']);
    expect(plan[1]!.weight).toBeGreaterThan(plan[0]!.weight);
  });
});
