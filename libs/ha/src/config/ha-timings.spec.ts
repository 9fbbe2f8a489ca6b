import { describe, expect, it } from '@jest/globals';
import { blockingWaitMsOf, checkHaTimings, deriveHaTimings, longestBlockingReadMs, type HaTimings } from './ha-timings.js';
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
      renewIntervalMs: 20_000,
      renewDeadlineMs: 50_000, // 60 s - 5 s drain - 5 s close
      renewRetryMs: 7500, // four retries fit between the missed renew and the deadline
      requestTimeoutMs: 12_500, // a quarter of the deadline, under the 30 s connect timeout
      connectTimeoutMs: 12_500,
      blockingWaitMs: 180_000,
      blockingReadTimeoutMs: 300_000,
      retryDelayMs: 20_000,
      lockDelayMs: 0,
      healthCheckIntervalMs: 5000,
      activationTimeoutMs: 60_000,
      drainTimeoutMs: 5000,
      fenceDrainMs: 5000,
      stepDownHoldOffMs: 20_000,
    });
  });

  it.each<[string, Record<string, unknown>, Partial<HaTimings>]>([
    // The deadline never comes before 3/4 TTL, and the fence drain shrinks to what fits before the TTL.
    ['short TTL', { consulSessionTTLInSecond: 10, healthCheckPeriodInSecond: 2 }, { renewIntervalMs: 3333, renewDeadlineMs: 7500, renewRetryMs: 1041, requestTimeoutMs: 1875, fenceDrainMs: 1250 }],
    // Never later than 9/10 TTL, even with no drain at all.
    ['no drain', { drainTimeoutInMillis: 0 }, { renewDeadlineMs: 54_000, fenceDrainMs: 0 }],
    ['long TTL', { consulSessionTTLInSecond: 86400 }, { renewDeadlineMs: 77_760_000, requestTimeoutMs: 30_000, fenceDrainMs: 5000 }],
    ['small connect timeout', { consulConnectTimeoutInMillis: 200 }, { requestTimeoutMs: 200, connectTimeoutMs: 200 }],
    ['fractional wait', { consulQueryTimeoutInMin: 0.25 }, { blockingWaitMs: 15_000 }],
    ['lock delay and hold-off', { consulLockDelayInSecond: 15, stepDownHoldOffInSecond: 3 }, { lockDelayMs: 15_000, stepDownHoldOffMs: 3000 }],
  ])('%s', (_name, overrides, expected) => {
    expect(deriveHaTimings(config(overrides))).toMatchObject(expected);
  });

  it('never violates its invariants over a sweep of valid configs', () => {
    const ttls = [10, 11, 12, 15, 19, 20, 29, 30, 45, 60, 61, 90, 120, 300, 3600, 86399, 86400];
    const connects = [1, 100, 250, 1000, 2499, 2500, 5000, 30_000, 120_000, 600_000];
    const drains = [0, 1, 1000, 5000, 9999, 30_000, 600_000];
    const waits = [0.00001, 0.01, 0.5, 3, 10];
    let checked = 0;
    for (const ttl of ttls)
      for (const connect of connects)
        for (const drain of drains)
          for (const wait of waits) {
            const c = config({
              consulSessionTTLInSecond: ttl,
              healthCheckPeriodInSecond: Math.min(5, ttl - 1),
              consulConnectTimeoutInMillis: connect,
              drainTimeoutInMillis: drain,
              consulQueryTimeoutInMin: wait,
              consulReadTimeoutInMillis: longestBlockingReadMs(blockingWaitMsOf(wait)) + 1,
            });
            const t = deriveHaTimings(c); // throws on a violation
            expect(t.requestTimeoutMs).toBeLessThanOrEqual(connect);
            expect(t.renewDeadlineMs + t.fenceDrainMs).toBeLessThan(t.sessionTtlMs);
            checked++;
          }
    expect(checked).toBe(ttls.length * connects.length * drains.length * waits.length);
  });
});

describe('checkHaTimings', () => {
  const good = deriveHaTimings(config());

  it.each<[string, Partial<HaTimings>, string]>([
    ['renew interval of zero', { renewIntervalMs: 0 }, 'renewIntervalMs (0) > 0'],
    ['renew interval past the deadline', { renewIntervalMs: 50_000 }, 'renewIntervalMs (50000) < renewDeadlineMs (50000)'],
    ['deadline at the TTL', { renewDeadlineMs: 60_000 }, 'renewDeadlineMs (60000) < sessionTtlMs (60000)'],
    ['no renew retry pause', { renewRetryMs: 0 }, '0 < 4 × renewRetryMs (0) <= renewDeadlineMs - renewIntervalMs'],
    ['too few renew retries', { renewRetryMs: 7501 }, '0 < 4 × renewRetryMs (7501) <= renewDeadlineMs - renewIntervalMs'],
    ['no request timeout', { requestTimeoutMs: 0, connectTimeoutMs: 0 }, 'requestTimeoutMs (0) > 0'],
    ['no room for two requests after a missed renew', { requestTimeoutMs: 15_000, connectTimeoutMs: 1 }, '2 × requestTimeoutMs (15000) < renewDeadlineMs - renewIntervalMs (30000)'],
    ['connect longer than a request', { connectTimeoutMs: 12_501 }, '0 < connectTimeoutMs (12501) <= requestTimeoutMs'],
    ['fence drain past the TTL', { fenceDrainMs: 10_000 }, 'renewDeadlineMs + fenceDrainMs (10000) < sessionTtlMs'],
    ['check interval as long as the TTL', { healthCheckIntervalMs: 60_000 }, 'healthCheckIntervalMs (60000) < sessionTtlMs'],
    ['read timeout too short for the wait', { blockingReadTimeoutMs: 196_250 }, 'blockingReadTimeoutMs (196250) > 196250 (wait + wait/16 + hold)'],
  ])('rejects %s', (_name, change, message) => {
    expect(() => checkHaTimings({ ...good, ...change })).toThrow(message);
  });

  it('accepts derived timings and returns them', () => {
    expect(checkHaTimings(good)).toBe(good);
  });
});
