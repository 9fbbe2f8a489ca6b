import { describe, expect, it } from '@jest/globals';
import { checkHaTimings, deriveHaTimings, type HaTimings } from './ha-timings.js';
import { validateHaConfig } from './validate-ha-config.js';

const config = (overrides: Record<string, unknown> = {}) => {
  const { config, problems } = validateHaConfig(overrides);
  expect(problems).toEqual([]);
  return config;
};

describe('deriveHaTimings', () => {
  it('derives the defaults', () => {
    expect(deriveHaTimings(config())).toEqual({
      sessionTtlMs: 60_000,
      leaseMs: 1500, // a frozen leader costs detection + lease + margin: within 4 s at a 1 s check period
      requestTimeoutMs: 750, // half the lease: a slower proof would be useless
      connectTimeoutMs: 750,
      renewDeadlineMs: 49_250, // 60 s - 0.75 s longest call - 5 s drain - 5 s close
      renewIntervalMs: 20_000,
      renewRetryMs: 7312, // four retries fit between the missed renew and the deadline
      proveIntervalMs: 500,
      proveRetryMs: 75,
      takeoverMarginMs: 250,
      handoverWindowMs: 10_000,
      blockingWaitMs: 180_000,
      blockingReadTimeoutMs: 300_000,
      retryDelayMs: 20_000,
      lockDelayMs: 0,
      healthCheckIntervalMs: 5000,
      activationTimeoutMs: 60_000,
      drainTimeoutMs: 5000,
      closeTimeoutMs: 5000,
      stepDownHoldOffMs: 20_000,
      failsafeMaxMs: 300_000, // rule 13 is on by default: ha.failsafeMaxInSecond
      failsafeProofOverdueMs: 575, // the scheduled proof and one retry failed
      failsafeRoundIntervalMs: 370, // (lease - overdue) / 2.5: a look plus a whole round end inside the lease
      failsafeRoundTimeoutMs: 370,
      failsafeConsulCheckMs: 185, // half a round: the member's own Consul read
    });
  });

  it.each<[string, Record<string, unknown>, Partial<HaTimings>]>([
    // Consul's shortest TTL: the deadline still leaves room for the longest call, drain and close
    ['short TTL', { consulSessionTTLInSecond: 10, healthCheckPeriodInSecond: 1, drainTimeoutInMillis: 1000, closeTimeoutInMillis: 2000 }, { leaseMs: 1500, requestTimeoutMs: 750, renewDeadlineMs: 6250, renewIntervalMs: 3333, proveIntervalMs: 500 }],
    ['explicit lease', { leaderLeaseInSecond: 2.5 }, { leaseMs: 2500, requestTimeoutMs: 1250, renewDeadlineMs: 48_750, proveIntervalMs: 833 }],
    // never later than 9/10 TTL, even with no drain and no close
    ['no drain', { drainTimeoutInMillis: 0, closeTimeoutInMillis: 1 }, { renewDeadlineMs: 54_000 }],
    ['long TTL', { consulSessionTTLInSecond: 86400 }, { renewDeadlineMs: 77_760_000, requestTimeoutMs: 750, leaseMs: 1500 }],
    ['small connect timeout', { consulConnectTimeoutInMillis: 200 }, { requestTimeoutMs: 200, connectTimeoutMs: 200 }],
    ['fractional wait', { consulQueryTimeoutInMin: 0.25 }, { blockingWaitMs: 15_000 }],
    ['failsafe off', { failsafe: false }, { failsafeMaxMs: 0 }],
    // the shortest lease still leaves a look plus a whole round inside it (100 + 50 + 60 + 60 < 300)
    ['shortest lease', { leaderLeaseInSecond: 0.3 }, { failsafeProofOverdueMs: 150, failsafeRoundIntervalMs: 60, failsafeRoundTimeoutMs: 60, failsafeConsulCheckMs: 30 }],
    ['lock delay and hold-off', { consulLockDelayInSecond: 15, stepDownHoldOffInSecond: 3 }, { lockDelayMs: 15_000, stepDownHoldOffMs: 3000 }],
  ])('%s', (_name, overrides, expected) => {
    expect(deriveHaTimings(config(overrides))).toMatchObject(expected);
  });

  it('never violates its invariants over a sweep of configs the validation accepts, and names a key for the others', () => {
    const ttls = [10, 11, 12, 15, 19, 20, 29, 30, 45, 60, 61, 90, 120, 300, 3600, 86400];
    const connects = [1, 100, 1000, 2500, 5000, 30_000, 600_000];
    const drains = [0, 1000, 5000, 30_000];
    const closes = [1, 1000, 5000];
    const leases = [undefined, 0.3, 1, 2.5, 10, 30];
    let accepted = 0;
    let refused = 0;
    for (const ttl of ttls)
      for (const connect of connects)
        for (const drain of drains)
          for (const close of closes)
            for (const lease of leases) {
              const { config: c, problems } = validateHaConfig({
                consulSessionTTLInSecond: ttl,
                healthCheckPeriodInSecond: Math.min(5, ttl - 1),
                consulConnectTimeoutInMillis: connect,
                drainTimeoutInMillis: drain,
                closeTimeoutInMillis: close,
                ...(lease !== undefined ? { leaderLeaseInSecond: lease } : {}),
              });
              if (problems.length > 0) {
                refused++;
                for (const p of problems) expect(p).toMatch(/^ha\.(consulSessionTTLInSecond|leaderLeaseInSecond): expected /);
                continue;
              }
              const t = deriveHaTimings(c); // throws on a violation
              expect(t.requestTimeoutMs).toBeLessThanOrEqual(connect);
              expect(t.leaseMs).toBeLessThan(t.renewDeadlineMs);
              expect(t.renewDeadlineMs + t.requestTimeoutMs + t.drainTimeoutMs + t.closeTimeoutMs).toBeLessThanOrEqual(t.sessionTtlMs);
              accepted++;
            }
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(100);
  });
});

describe('timing rules at validation', () => {
  it('a lease at or above the renew deadline names ha.leaderLeaseInSecond and the budget', () => {
    const { problems } = validateHaConfig({ leaderLeaseInSecond: 50, consulConnectTimeoutInMillis: 1000 });
    expect(problems).toEqual([expect.stringMatching(/^ha\.leaderLeaseInSecond: expected less than the renew deadline \(\d+ ms = consulSessionTTLInSecond 60 s - longest Consul call \d+ ms - drainTimeoutInMillis 5000 - closeTimeoutInMillis 5000\).*, got 50$/)]);
  });

  it('a TTL too short for the drain and the close names ha.consulSessionTTLInSecond', () => {
    const { problems } = validateHaConfig({ consulSessionTTLInSecond: 10, healthCheckPeriodInSecond: 1 });
    expect(problems).toEqual([expect.stringMatching(/^ha\.consulSessionTTLInSecond: expected a TTL that leaves a renew deadline of at least \d+ ms after the longest Consul call, the drain and the close/)]);
  });
});

describe('checkHaTimings', () => {
  // a 10 s lease: the deadline (45 s) and call bound (5 s) the rows below are written against
  const good = deriveHaTimings(config({ leaderLeaseInSecond: 10 }));

  it.each<[string, Partial<HaTimings>, string]>([
    ['renew interval of zero', { renewIntervalMs: 0 }, 'renewIntervalMs (0) > 0'],
    ['renew interval past the deadline', { renewIntervalMs: 45_000 }, 'renewIntervalMs (45000) < renewDeadlineMs (45000)'],
    ['deadline at the TTL', { renewDeadlineMs: 60_000 }, 'renewDeadlineMs (60000) < sessionTtlMs (60000)'],
    ['no renew retry pause', { renewRetryMs: 0 }, 'renewRetryMs (0) > 0'],
    ['lease past the deadline', { leaseMs: 45_000 }, '0 < leaseMs (45000) < renewDeadlineMs (45000)'],
    ['deadline + call + drain + close past the TTL', { drainTimeoutMs: 6_000 }, 'renewDeadlineMs + requestTimeoutMs + drainTimeoutMs + closeTimeoutMs (61000) <= sessionTtlMs'],
    ['a call longer than half the lease', { requestTimeoutMs: 6_000, connectTimeoutMs: 1 }, '2 × requestTimeoutMs (6000) <= leaseMs'],
    ['no request timeout', { requestTimeoutMs: 0, connectTimeoutMs: 0 }, 'requestTimeoutMs (0) > 0'],
    ['connect longer than a request', { connectTimeoutMs: 5_001 }, '0 < connectTimeoutMs (5001) <= requestTimeoutMs'],
    ['check interval as long as the TTL', { healthCheckIntervalMs: 60_000 }, 'healthCheckIntervalMs (60000) < sessionTtlMs'],
    ['read timeout too short for the wait', { blockingReadTimeoutMs: 196_250 }, 'blockingReadTimeoutMs (196250) > 196250 (wait + wait/16 + hold)'],
  ])('rejects %s', (_name, change, message) => {
    expect(() => checkHaTimings({ ...good, ...change })).toThrow(message);
  });

  it('accepts derived timings and returns them', () => {
    expect(checkHaTimings(good)).toBe(good);
  });
});
