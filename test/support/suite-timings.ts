/**
 * The suite's timing keys unless a scenario sets its own: fast checks and retries, and a drain and close
 * short enough for a 10 s TTL (deadline = TTL - longest call - drain - close, ha-timings.ts). The figures
 * docs/failure-modes.md quotes for the suite are derived from these (tools/docs).
 */
export const SUITE_HA_TIMINGS = {
  healthCheckPeriodInSecond: 1,
  consulSessionTTLInSecond: 10,
  consulLockDelayInSecond: 0,
  lockAcquisitionDelayInSecond: 1,
  drainTimeoutInMillis: 1000,
  closeTimeoutInMillis: 2000,
} as const;
