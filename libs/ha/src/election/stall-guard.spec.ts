import { describe, expect, it } from '@jest/globals';
import { StallGuard } from './stall-guard.js';

describe('StallGuard', () => {
  function guard() {
    let now = 1_000;
    const stalls: number[] = [];
    const g = new StallGuard(() => now, 500, () => stalls.push(now), 1_000_000);
    g.start();
    g.stop(); // no real timer in the unit test: beats are simulated through allows()
    (g as unknown as { timer: object }).timer = {}; // mark as started
    return { g, stalls, advance: (ms: number) => (now += ms), beat: () => (g as unknown as { beat: () => void }).beat() };
  }

  it('allows leader work while the beats keep coming', () => {
    const { g, advance, beat, stalls } = guard();
    for (let i = 0; i < 10; i++) {
      advance(100);
      beat();
    }
    expect(g.allows()).toBe(true);
    expect(stalls).toEqual([]);
  });

  it('a gap longer than the threshold is a freeze: refused, once reported, until a later confirmation', () => {
    const { g, advance, stalls } = guard();
    advance(2_000); // frozen: no beat for 2 s
    expect(g.allows()).toBe(false);
    expect(g.allows()).toBe(false);
    expect(stalls).toEqual([3_000]);
    g.confirmed(2_999); // a renew sent before the freeze was noticed proves nothing
    expect(g.allows()).toBe(false);
    g.confirmed(3_000);
    expect(g.allows()).toBe(true);
  });
});
