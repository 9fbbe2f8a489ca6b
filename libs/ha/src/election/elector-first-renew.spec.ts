import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from '../testing/fake-clock.js';
import { InMemoryConsul } from '../testing/in-memory-consul.js';
import { makeInstance, type TestInstance } from '../testing/election-harness.js';

/**
 * A 10 s TTL with a 1.666 s lease, as deriveHaTimings made it (renew every 3.333 s, renew deadline 6.167 s):
 * the deadline is shorter than two renew intervals, so a term whose first renew waits a whole interval
 * from the acquire misses the deadline when the session was last renewed late in its interval before.
 */
const TTL_10S = {
  sessionTtlMs: 10_000,
  renewIntervalMs: 3_333,
  renewDeadlineMs: 6_167,
  renewRetryMs: 708,
  leaseMs: 1_666,
  proveIntervalMs: 555,
  proveRetryMs: 83,
  takeoverMarginMs: 250,
};

describe('Elector: the first renew of a term counts from the last renew, not from the acquire (rule 2)', () => {
  const clock = new FakeClock();
  const consul = new InMemoryConsul(clock);
  const started: TestInstance[] = [];

  afterEach(async () => {
    for (const i of started.splice(0)) {
      const stopping = i.elector.stop();
      await clock.advance(0);
      await stopping;
    }
  });

  it('a backup whose session was renewed 3 s before it takes the lock renews in time and keeps leading', async () => {
    const a = makeInstance(consul, clock, 'a', TTL_10S);
    const b = makeInstance(consul, clock, 'b', TTL_10S);
    started.push(a, b);
    const renewals: Array<{ at: number; sessionId: string }> = [];
    const renew = consul.renewSession.bind(consul);
    consul.renewSession = async (sessionId: string) => {
      renewals.push({ at: clock.now(), sessionId });
      return renew(sessionId);
    };
    a.elector.start();
    await clock.advance(0);
    consul.setCheck(a.checkId, 'passing');
    await clock.advance(1_000);
    await clock.advance(TTL_10S.leaseMs + TTL_10S.takeoverMarginMs + 500);
    expect(a.term.mayAct()).toBe(true);

    b.elector.start();
    await clock.advance(0);
    consul.setCheck(b.checkId, 'passing');
    let createdAt = 0;
    for (let n = 0; n < 40 && createdAt === 0; n++) {
      await clock.advance(50);
      if (b.elector.current.kind === 'acquiring') createdAt = clock.now();
    }
    expect(b.elector.current.kind).toBe('acquiring');
    const bSession = (b.elector.current as { sessionId: string }).sessionId;
    // b renews its waiting session every interval; take the lock 3 s into one such interval
    await clock.advance(TTL_10S.renewIntervalMs + 3_000 - (clock.now() - createdAt));
    const lastRenew = Math.max(createdAt, ...renewals.filter((r) => r.sessionId === bSession).map((r) => r.at));
    expect(clock.now() - lastRenew).toBeGreaterThanOrEqual(2_900);
    a.elector.stepDown();
    for (let n = 0; n < 20 && b.elector.current.kind !== 'leader'; n++) await clock.advance(50);
    expect(b.elector.current.kind).toBe('leader');
    const tookAt = clock.now();

    await clock.advance(2 * TTL_10S.renewIntervalMs);
    const termRenewals = renewals.filter((r) => r.sessionId === bSession && r.at > lastRenew).map((r) => r.at);
    // the renew is due one interval after the last one, already (nearly) past at the acquire
    expect(b.transitions.map((t) => t.reason).filter((r) => r.includes('renew deadline'))).toEqual([]);
    expect(termRenewals.length).toBeGreaterThanOrEqual(2);
    expect(termRenewals[0]! - lastRenew).toBeLessThanOrEqual(Math.max(TTL_10S.renewIntervalMs, tookAt - lastRenew));
    expect(b.elector.current.kind).toBe('leader');
    expect(b.term.mayAct()).toBe(true);
  });
});
