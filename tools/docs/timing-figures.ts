import { HA_DEFAULTS } from '../../libs/ha/src/config/ha-defaults.js';
import { deriveHaTimings, longestBlockingReadMs, type HaTimings, type TimingInput } from '../../libs/ha/src/config/ha-timings.js';
import { SUITE_HA_TIMINGS } from '../../test/support/suite-timings.js';

/**
 * The configurations docs quote figures for: the defaults, the e2e suite's (test/support/suite-timings.ts),
 * and the suite's quorum-loss scenario (TTL 60 s, lease 5 s). A figure names one after `@`.
 */
export const FIGURE_CONFIGS: Readonly<Record<string, TimingInput>> = {
  default: HA_DEFAULTS,
  suite: { ...HA_DEFAULTS, ...SUITE_HA_TIMINGS },
  'suite-ttl60-lease5': { ...HA_DEFAULTS, ...SUITE_HA_TIMINGS, consulSessionTTLInSecond: 60, leaderLeaseInSecond: 5 },
};

/** The elector's timings with every default, as ha-timings.ts derives them. */
export function defaultTimings(): HaTimings {
  return deriveHaTimings(HA_DEFAULTS);
}

/** A duration as docs quote it: seconds, up to three decimals ("45 s", "6.25 s", "3.333 s"). */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * Every timing figure the docs quote, by name, for one of FIGURE_CONFIGS: docs write one as
 * `<!--fig:NAME-->45 s<!--/fig-->` (defaults) or `<!--fig:NAME@suite-->6.167 s<!--/fig-->`, and tools/docs
 * rewrites (`npm run docs`) or checks (docs-in-sync.spec.ts) it.
 */
export function timingFigures(configName = 'default'): Readonly<Record<string, string>> {
  const config = FIGURE_CONFIGS[configName];
  if (!config) throw new Error(`unknown figure configuration @${configName} (known: ${Object.keys(FIGURE_CONFIGS).join(', ')})`);
  const t = deriveHaTimings(config);
  return {
    sessionTtl: seconds(t.sessionTtlMs),
    renewInterval: seconds(t.renewIntervalMs),
    renewRetry: seconds(t.renewRetryMs),
    renewDeadline: seconds(t.renewDeadlineMs),
    lease: seconds(t.leaseMs),
    proveInterval: seconds(t.proveIntervalMs),
    proveRetry: seconds(t.proveRetryMs),
    takeoverMargin: seconds(t.takeoverMarginMs),
    handoverWindow: seconds(t.handoverWindowMs),
    consulCallBound: seconds(t.requestTimeoutMs),
    blockingWait: seconds(t.blockingWaitMs),
    longestBlockingRead: seconds(longestBlockingReadMs(t.blockingWaitMs)),
    healthCheckInterval: seconds(t.healthCheckIntervalMs),
    retryDelay: seconds(t.retryDelayMs),
    stepDownHoldOff: seconds(t.stepDownHoldOffMs),
    drain: seconds(t.drainTimeoutMs),
    close: seconds(t.closeTimeoutMs),
    activation: seconds(t.activationTimeoutMs),
    // the key's value, which holds whenever ha.failsafe is on (with it off, the derived extension is 0)
    failsafeMax: seconds(config.failsafeMaxInSecond * 1000),
    failsafeRound: seconds(t.failsafeRoundIntervalMs),
    failsafeConsulCheck: seconds(t.failsafeConsulCheckMs),
  };
}
