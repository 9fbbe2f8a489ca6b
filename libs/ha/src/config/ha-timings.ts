import type { HaConfig } from './ha-config.js';
import { INTERNAL_DEFAULTS } from './internal-defaults.js';

/** Every delay the elector uses, in milliseconds, derived once from the validated config. */
export interface HaTimings {
  readonly sessionTtlMs: number;
  readonly renewIntervalMs: number;
  readonly renewDeadlineMs: number;
  /** Pause between renew attempts after a failed one, until the deadline. */
  readonly renewRetryMs: number;
  /** The leader acts only this long after the send time of its last proof of ownership (rule 9). */
  readonly leaseMs: number;
  /** How often the leader proves ownership with a consistent read, and how soon it retries a failed one. */
  readonly proveIntervalMs: number;
  readonly proveRetryMs: number;
  /** Added to the lease before a new holder may act by time alone (rule 10). */
  readonly takeoverMarginMs: number;
  /** How long the other instances stand back after a hand-over to a chosen candidate. */
  readonly handoverWindowMs: number;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly blockingWaitMs: number;
  readonly blockingReadTimeoutMs: number;
  readonly retryDelayMs: number;
  readonly lockDelayMs: number;
  readonly healthCheckIntervalMs: number;
  readonly activationTimeoutMs: number;
  readonly drainTimeoutMs: number;
  /** Bound on closing the full graph; an overrun ends the process (rule 11). */
  readonly closeTimeoutMs: number;
  readonly stepDownHoldOffMs: number;
  /** Rule 13: the longest a leader acts on failsafe rounds in a row; 0 when ha.failsafe is off. */
  readonly failsafeMaxMs: number;
  /** Rule 13: rounds repeat this often while the leader's proofs are overdue; each is bounded by the timeout. */
  readonly failsafeRoundIntervalMs: number;
  readonly failsafeRoundTimeoutMs: number;
  /** A proof older than this means Consul does not answer the leader: failsafe rounds start. */
  readonly failsafeProofOverdueMs: number;
  /** Bound of a member's own `?consistent` read before it confirms (it must fail for a confirmation). */
  readonly failsafeConsulCheckMs: number;
}

/**
 * The lease when ha.leaderLeaseInSecond is unset. A successor waits it out when its predecessor is frozen
 * (a frozen process neither answers nor refuses), so a frozen leader costs detection + lease + margin:
 * 1.5 s keeps that within 4 s at a 1 s check period (2.9-3.7 s measured, `npm run bench:lease`), where
 * 2 s reached 4.2 s and 10 s 12.9 s. Consul blips no longer need a long lease: failsafe (rule 13) rides
 * out what every instance sees. The price, measured there too: the leader's proofs (2 `?consistent`
 * reads a second) and every non-blocking Consul call bounded by 750 ms (docs/operations.md, "Leader lease").
 */
const DEFAULT_LEASE_MS = 1_500;
/** How long a Consul server may hold a blocking read beyond wait + wait/16 (docs/consul-behaviour.md §5.2). */
const BLOCKING_HOLD_MS = 5000;

/** Timeout of Consul's HTTP check: the interval, within Consul's 1 s minimum and its 10 s default. */
export function checkTimeoutFor(healthCheckIntervalMs: number): number {
  return Math.max(1000, Math.min(10_000, healthCheckIntervalMs));
}

/**
 * How often the instance looks at its own health (rule 8 and its mirror): each check period, but at least
 * every INTERNAL_DEFAULTS.healthPollMaxMs, so a leader notices its own failure about as fast as Consul.
 */
export function healthPollMsOf(healthCheckIntervalMs: number): number {
  return Math.min(INTERNAL_DEFAULTS.healthPollMaxMs, healthCheckIntervalMs);
}

/** The `wait` sent on blocking reads, in whole milliseconds (Consul takes `wait=<n>ms`). */
export function blockingWaitMsOf(consulQueryTimeoutInMin: number): number {
  return Math.max(1, Math.round(consulQueryTimeoutInMin * 60_000));
}

/** The longest a blocking read with this wait may legally take before Consul answers. */
export function longestBlockingReadMs(waitMs: number): number {
  return waitMs + Math.floor(waitMs / 16) + BLOCKING_HOLD_MS;
}

export type TimingInput = Pick<
  HaConfig,
  | 'consulSessionTTLInSecond'
  | 'consulConnectTimeoutInMillis'
  | 'consulQueryTimeoutInMin'
  | 'consulReadTimeoutInMillis'
  | 'lockAcquisitionDelayInSecond'
  | 'consulLockDelayInSecond'
  | 'healthCheckPeriodInSecond'
  | 'activationTimeoutInSecond'
  | 'drainTimeoutInMillis'
  | 'closeTimeoutInMillis'
  | 'stepDownHoldOffInSecond'
  | 'leaderLeaseInSecond'
  | 'failsafe'
  | 'failsafeMaxInSecond'
>;

/** The lease in ms: the configured one, else the default (shorter than any accepted TTL's renew deadline). */
function leaseMsOf(config: Pick<TimingInput, 'leaderLeaseInSecond'>): number {
  return config.leaderLeaseInSecond !== undefined ? Math.round(config.leaderLeaseInSecond * 1000) : DEFAULT_LEASE_MS;
}

/**
 * Derives the elector's timings from a config that passed validateHaConfig (whose timing rules, in
 * ha-config-rules.ts, make checkHaTimings hold). Why each value is what it is:
 */
export function deriveHaTimings(config: TimingInput): HaTimings {
  // The lock as Consul sees it; Consul may keep it up to 2×TTL, we never count on more than 1×.
  const sessionTtlMs = config.consulSessionTTLInSecond * 1000;
  const leaseMs = leaseMsOf(config);
  // Every non-blocking Consul call is bounded by half the lease: a proof that takes longer is useless,
  // and a call can never outlive the lease it serves (docs/architecture.md §2, "The timing relations").
  const requestTimeoutMs = Math.max(1, Math.min(config.consulConnectTimeoutInMillis, Math.floor(leaseMs / 2)));
  // Connecting longer than a whole request may last is pointless, for blocking reads too.
  const connectTimeoutMs = Math.min(config.consulConnectTimeoutInMillis, requestTimeoutMs);
  const drainTimeoutMs = config.drainTimeoutInMillis;
  const closeTimeoutMs = config.closeTimeoutInMillis;
  // Rule 2: a renew sent at t keeps the lock ours until t + TTL at least. The deadline leaves room for the
  // longest call, the drain and the close before that, and never goes past 9/10 TTL (timer lateness and
  // clock-rate drift grow with long TTLs). Defaults: 60 s - 0.75 s - 5 s - 5 s = 49.25 s.
  const renewDeadlineMs = Math.min(Math.floor((sessionTtlMs * 9) / 10), sessionTtlMs - requestTimeoutMs - drainTimeoutMs - closeTimeoutMs);
  // Three renews per TTL, but always leaving two request timeouts of retries before the deadline.
  const renewIntervalMs = Math.max(1, Math.min(Math.floor(sessionTtlMs / 3), renewDeadlineMs - 2 * requestTimeoutMs));
  // After a failed renew, at least four more attempts before the deadline.
  const renewRetryMs = Math.max(1, Math.floor((renewDeadlineMs - renewIntervalMs) / 4));
  // Three proofs per lease: one can fail or be slow (up to half a lease) and the next still lands in time.
  const proveIntervalMs = Math.max(1, Math.floor(leaseMs / 3));
  // A failed proof is retried quickly, so a Consul blip shorter than the lease costs no lapse.
  const proveRetryMs = Math.max(50, Math.min(proveIntervalMs, Math.floor(leaseMs / 20)));
  // Clock rates differ between hosts by far less than 10 %; the floor covers scheduling jitter.
  const takeoverMarginMs = Math.max(250, Math.ceil(leaseMs / 10));
  // Interval of the Consul HTTP check, and the lag of Consul's view of our health (rule 8).
  const healthCheckIntervalMs = config.healthCheckPeriodInSecond * 1000;
  // The candidate's blocking read returns at once when the key is released: two check periods (at least
  // 3 s) cover a candidate that is busy, without leaving the cluster leaderless for long if it is gone.
  const handoverWindowMs = Math.max(3000, 2 * healthCheckIntervalMs);
  return checkHaTimings({
    sessionTtlMs,
    renewIntervalMs,
    renewDeadlineMs,
    renewRetryMs,
    leaseMs,
    proveIntervalMs,
    proveRetryMs,
    takeoverMarginMs,
    handoverWindowMs,
    requestTimeoutMs,
    connectTimeoutMs,
    // The `wait` sent on blocking reads, under Consul's 10 min cap (validated).
    blockingWaitMs: blockingWaitMsOf(config.consulQueryTimeoutInMin),
    // Validated to exceed wait + wait/16 + hold, so a quiet key is never mistaken for a dead agent.
    blockingReadTimeoutMs: config.consulReadTimeoutInMillis,
    // A4C's pace for retrying acquisition and reaching an unreachable Consul (rule 6).
    retryDelayMs: config.lockAcquisitionDelayInSecond * 1000,
    // Sent as the session's lock-delay; also how long a refused acquire waits before retrying (rule 5).
    lockDelayMs: config.consulLockDelayInSecond * 1000,
    healthCheckIntervalMs,
    // Bound on the full graph's init(); past it the lock is released for another instance (rule 3).
    activationTimeoutMs: config.activationTimeoutInSecond * 1000,
    drainTimeoutMs,
    closeTimeoutMs,
    stepDownHoldOffMs: config.stepDownHoldOffInSecond * 1000,
    ...failsafeTimings(config, leaseMs, proveIntervalMs, proveRetryMs),
  });
}

/**
 * Rule 13's pace, from the lease: rounds start once a proof is overdue (the scheduled one and one retry
 * failed: lease/3 + lease/20 after the last proof). What is left of the lease then is split so that the
 * controller's next look (one interval) plus a whole round (one timeout) still end inside it, with a
 * fifth to spare: interval = timeout = (lease - overdue) / 2.5 (370 ms with the default 1.5 s lease). Each
 * confirmed round extends to its send time + lease, so the next one, an interval later, lands in time.
 * A member's own Consul read gets half a round.
 */
export function failsafeTimings(config: Pick<TimingInput, 'failsafe' | 'failsafeMaxInSecond'>, leaseMs: number, proveIntervalMs: number, proveRetryMs: number) {
  const failsafeRoundTimeoutMs = Math.max(1, Math.floor(((leaseMs - proveIntervalMs - proveRetryMs) * 2) / 5));
  return {
    failsafeMaxMs: config.failsafe ? config.failsafeMaxInSecond * 1000 : 0,
    failsafeRoundIntervalMs: failsafeRoundTimeoutMs,
    failsafeRoundTimeoutMs,
    failsafeProofOverdueMs: proveIntervalMs + proveRetryMs,
    failsafeConsulCheckMs: Math.max(1, Math.floor(failsafeRoundTimeoutMs / 2)),
  };
}

/**
 * The timing problems of a config, each naming its key (ha-config-rules.ts reports them at startup).
 * They are the conditions under which checkHaTimings holds.
 */
export function timingProblems(config: TimingInput): { key: keyof HaConfig; expected: string }[] {
  const ttlMs = config.consulSessionTTLInSecond * 1000;
  const leaseMs = leaseMsOf(config);
  const requestMs = Math.max(1, Math.min(config.consulConnectTimeoutInMillis, Math.floor(leaseMs / 2)));
  const deadlineMs = Math.min(Math.floor((ttlMs * 9) / 10), ttlMs - requestMs - config.drainTimeoutInMillis - config.closeTimeoutInMillis);
  const problems: { key: keyof HaConfig; expected: string }[] = [];
  const budget = `consulSessionTTLInSecond ${config.consulSessionTTLInSecond} s - longest Consul call ${requestMs} ms - drainTimeoutInMillis ${config.drainTimeoutInMillis} - closeTimeoutInMillis ${config.closeTimeoutInMillis}`;
  // rule 2 needs room for two request timeouts of renew retries after the last scheduled renew
  if (deadlineMs < 4 * requestMs || deadlineMs < 1000) {
    problems.push({
      key: 'consulSessionTTLInSecond',
      expected: `a TTL that leaves a renew deadline of at least ${Math.max(1000, 4 * requestMs)} ms after the longest Consul call, the drain and the close (now ${budget} = ${deadlineMs} ms)`,
    });
  } else if (leaseMs >= deadlineMs) {
    problems.push({
      key: 'leaderLeaseInSecond',
      expected: `less than the renew deadline (${deadlineMs} ms = ${budget}), so that the lease lapses before the lock can be lost`,
    });
  }
  if (leaseMs < 300) problems.push({ key: 'leaderLeaseInSecond', expected: 'at least 0.3 s: shorter leases lapse on every event-loop hiccup' });
  return problems;
}

/**
 * The invariants the elector's safety rests on. Validation makes them hold for every accepted config,
 * so a violation is a bug: it throws a plain Error, not an HaConfigError. Returns its argument.
 */
export function checkHaTimings(t: HaTimings): HaTimings {
  const broken: string[] = [];
  const expect = (holds: boolean, what: string) => {
    if (!holds) broken.push(what);
  };
  expect(t.renewIntervalMs > 0, `renewIntervalMs (${t.renewIntervalMs}) > 0`);
  expect(t.renewIntervalMs < t.renewDeadlineMs, `renewIntervalMs (${t.renewIntervalMs}) < renewDeadlineMs (${t.renewDeadlineMs})`);
  expect(t.renewDeadlineMs < t.sessionTtlMs, `renewDeadlineMs (${t.renewDeadlineMs}) < sessionTtlMs (${t.sessionTtlMs})`);
  expect(t.renewRetryMs > 0, `renewRetryMs (${t.renewRetryMs}) > 0`);
  expect(t.requestTimeoutMs > 0, `requestTimeoutMs (${t.requestTimeoutMs}) > 0`);
  expect(
    t.requestTimeoutMs * 2 <= t.renewDeadlineMs - t.renewIntervalMs,
    `2 × requestTimeoutMs (${t.requestTimeoutMs}) <= renewDeadlineMs - renewIntervalMs (${t.renewDeadlineMs - t.renewIntervalMs})`,
  );
  expect(t.connectTimeoutMs > 0 && t.connectTimeoutMs <= t.requestTimeoutMs, `0 < connectTimeoutMs (${t.connectTimeoutMs}) <= requestTimeoutMs`);
  expect(t.leaseMs > 0 && t.leaseMs < t.renewDeadlineMs, `0 < leaseMs (${t.leaseMs}) < renewDeadlineMs (${t.renewDeadlineMs})`);
  expect(
    t.renewDeadlineMs + t.requestTimeoutMs + t.drainTimeoutMs + t.closeTimeoutMs <= t.sessionTtlMs,
    `renewDeadlineMs + requestTimeoutMs + drainTimeoutMs + closeTimeoutMs (${t.renewDeadlineMs + t.requestTimeoutMs + t.drainTimeoutMs + t.closeTimeoutMs}) <= sessionTtlMs`,
  );
  expect(t.requestTimeoutMs * 2 <= t.leaseMs, `2 × requestTimeoutMs (${t.requestTimeoutMs}) <= leaseMs`);
  expect(t.proveIntervalMs + t.requestTimeoutMs < t.leaseMs, `proveIntervalMs + requestTimeoutMs < leaseMs (${t.leaseMs})`);
  expect(t.healthCheckIntervalMs < t.sessionTtlMs, `healthCheckIntervalMs (${t.healthCheckIntervalMs}) < sessionTtlMs`);
  // rule 13: the first round is confirmed before the lease runs out, and each next one before the last one's extension
  expect(
    t.failsafeProofOverdueMs + t.failsafeRoundIntervalMs + t.failsafeRoundTimeoutMs < t.leaseMs,
    `failsafeProofOverdueMs + failsafeRoundIntervalMs + failsafeRoundTimeoutMs (${t.failsafeProofOverdueMs + t.failsafeRoundIntervalMs + t.failsafeRoundTimeoutMs}) < leaseMs`,
  );
  expect(t.failsafeConsulCheckMs < t.failsafeRoundTimeoutMs, `failsafeConsulCheckMs (${t.failsafeConsulCheckMs}) < failsafeRoundTimeoutMs`);
  expect(
    t.blockingReadTimeoutMs > longestBlockingReadMs(t.blockingWaitMs),
    `blockingReadTimeoutMs (${t.blockingReadTimeoutMs}) > ${longestBlockingReadMs(t.blockingWaitMs)} (wait + wait/16 + hold)`,
  );
  if (broken.length > 0) throw new Error(`HA timing invariants violated (a bug in deriveHaTimings): ${broken.join('; ')}`);
  return t;
}
