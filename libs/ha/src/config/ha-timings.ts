import type { HaConfig } from './ha-config.js';

/** Every delay the elector uses, in milliseconds, derived once from the validated config. */
export interface HaTimings {
  readonly sessionTtlMs: number;
  readonly renewIntervalMs: number;
  readonly renewDeadlineMs: number;
  /** Pause between renew attempts after a failed one, until the deadline. */
  readonly renewRetryMs: number;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly blockingWaitMs: number;
  readonly blockingReadTimeoutMs: number;
  readonly retryDelayMs: number;
  readonly lockDelayMs: number;
  readonly healthCheckIntervalMs: number;
  readonly activationTimeoutMs: number;
  readonly drainTimeoutMs: number;
  /** The drain allowed when the renew deadline forces a demotion: what fits before the TTL. */
  readonly fenceDrainMs: number;
  readonly stepDownHoldOffMs: number;
}

/** Time we allow for closing the full graph after its drain (shutdown hooks stop timers and clients). */
export const CLOSE_ALLOWANCE_MS = 5000;
/** How long a Consul server may hold a blocking read beyond wait + wait/16 (consul-api.md §5.2). */
export const BLOCKING_HOLD_MS = 5000;

/** The `wait` sent on blocking reads, in whole milliseconds (Consul takes `wait=<n>ms`). */
export function blockingWaitMsOf(consulQueryTimeoutInMin: number): number {
  return Math.max(1, Math.round(consulQueryTimeoutInMin * 60_000));
}

/** The longest a blocking read with this wait may legally take before Consul answers. */
export function longestBlockingReadMs(waitMs: number): number {
  return waitMs + Math.floor(waitMs / 16) + BLOCKING_HOLD_MS;
}

type TimingInput = Pick<
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
  | 'stepDownHoldOffInSecond'
>;

/**
 * Derives the elector's timings from a config that passed validateHaConfig. Consul never invalidates a
 * session earlier than TTL after the last renew that reached it, and we measure from when we SENT our
 * last successful renew, which is earlier: a leader that fences at renewDeadline < TTL is always out
 * before Consul could hand the lock to someone else (DESIGN.md §2, safety rule 2).
 */
export function deriveHaTimings(config: TimingInput): HaTimings {
  // The lease as Consul sees it; Consul may keep it up to 2×TTL, we never count on more than 1×.
  const sessionTtlMs = config.consulSessionTTLInSecond * 1000;
  // Three renews per TTL: one can be lost and the next still lands well before the deadline.
  const renewIntervalMs = Math.floor(sessionTtlMs / 3);
  // Fence early enough that drain + close finish before TTL, but never earlier than 3/4 TTL (so a renew
  // that misses its tick still gets two full attempts) nor later than 9/10 TTL (timer lateness and clock
  // rate drift grow with long TTLs). With the defaults: 60 s - 5 s drain - 5 s close = 50 s.
  const renewDeadlineMs = clamp(
    sessionTtlMs - config.drainTimeoutInMillis - CLOSE_ALLOWANCE_MS,
    Math.ceil((sessionTtlMs * 3) / 4),
    Math.floor((sessionTtlMs * 9) / 10),
  );
  // After a failed renew, retry often enough for at least four more attempts before the deadline: one
  // lost packet or a Consul leader election must not cost the leadership.
  const renewRetryMs = Math.max(1, Math.floor((renewDeadlineMs - renewIntervalMs) / 4));
  // Every non-blocking call is bounded by a quarter of the deadline, so no call can outlive the lease and
  // a renew sent at renewInterval has time for a retry (DESIGN.md §5).
  const requestTimeoutMs = Math.min(config.consulConnectTimeoutInMillis, Math.floor(renewDeadlineMs / 4));
  // Connecting longer than a whole request may last is pointless, for blocking reads too.
  const connectTimeoutMs = Math.min(config.consulConnectTimeoutInMillis, requestTimeoutMs);
  // The `wait` sent on blocking reads, under Consul's 10 min cap (validated).
  const blockingWaitMs = blockingWaitMsOf(config.consulQueryTimeoutInMin);
  // Validated to exceed wait + wait/16 + hold, so a quiet key is never mistaken for a dead agent.
  const blockingReadTimeoutMs = config.consulReadTimeoutInMillis;
  // A4C's pace for retrying acquisition and reaching an unreachable Consul (safety rule 6).
  const retryDelayMs = config.lockAcquisitionDelayInSecond * 1000;
  // Sent as the session's lock-delay; also how long a refused acquire waits before retrying (rule 5).
  const lockDelayMs = config.consulLockDelayInSecond * 1000;
  // Interval of the Consul HTTP check, and the lag of Consul's view of our health (rule 8).
  const healthCheckIntervalMs = config.healthCheckPeriodInSecond * 1000;
  // Bound on the full graph's init(); past it the lock is released for another instance (rule 3).
  const activationTimeoutMs = config.activationTimeoutInSecond * 1000;
  // Bound on draining in-flight requests on a voluntary demotion (step-down, shutdown): the lock is
  // still ours then, so the full configured time is available.
  const drainTimeoutMs = config.drainTimeoutInMillis;
  // On a forced demotion only the time left between the deadline and the TTL is ours: half of it at
  // most (and no more than the close allowance's share) goes to draining, the rest to closing.
  const margin = sessionTtlMs - renewDeadlineMs;
  const fenceDrainMs = Math.min(drainTimeoutMs, margin - Math.min(CLOSE_ALLOWANCE_MS, Math.floor(margin / 2)));
  // How long a leader that stepped down stays out of the election.
  const stepDownHoldOffMs = config.stepDownHoldOffInSecond * 1000;
  return checkHaTimings({
    sessionTtlMs,
    renewIntervalMs,
    renewDeadlineMs,
    renewRetryMs,
    requestTimeoutMs,
    connectTimeoutMs,
    blockingWaitMs,
    blockingReadTimeoutMs,
    retryDelayMs,
    lockDelayMs,
    healthCheckIntervalMs,
    activationTimeoutMs,
    drainTimeoutMs,
    fenceDrainMs,
    stepDownHoldOffMs,
  });
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
  expect(
    t.renewRetryMs > 0 && t.renewRetryMs * 4 <= t.renewDeadlineMs - t.renewIntervalMs,
    `0 < 4 × renewRetryMs (${t.renewRetryMs}) <= renewDeadlineMs - renewIntervalMs`,
  );
  expect(t.requestTimeoutMs > 0, `requestTimeoutMs (${t.requestTimeoutMs}) > 0`);
  expect(
    t.requestTimeoutMs * 2 < t.renewDeadlineMs - t.renewIntervalMs,
    `2 × requestTimeoutMs (${t.requestTimeoutMs}) < renewDeadlineMs - renewIntervalMs (${t.renewDeadlineMs - t.renewIntervalMs})`,
  );
  expect(t.connectTimeoutMs > 0 && t.connectTimeoutMs <= t.requestTimeoutMs, `0 < connectTimeoutMs (${t.connectTimeoutMs}) <= requestTimeoutMs`);
  expect(t.fenceDrainMs >= 0 && t.renewDeadlineMs + t.fenceDrainMs < t.sessionTtlMs, `renewDeadlineMs + fenceDrainMs (${t.fenceDrainMs}) < sessionTtlMs`);
  expect(t.healthCheckIntervalMs < t.sessionTtlMs, `healthCheckIntervalMs (${t.healthCheckIntervalMs}) < sessionTtlMs`);
  expect(
    t.blockingReadTimeoutMs > longestBlockingReadMs(t.blockingWaitMs),
    `blockingReadTimeoutMs (${t.blockingReadTimeoutMs}) > ${longestBlockingReadMs(t.blockingWaitMs)} (wait + wait/16 + hold)`,
  );
  if (broken.length > 0) throw new Error(`HA timing invariants violated (a bug in deriveHaTimings): ${broken.join('; ')}`);
  return t;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
