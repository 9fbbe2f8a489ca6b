/**
 * Time as the HA code sees it (docs/architecture.md, rule 12): injected, so unit tests run on a fake clock
 * and never wait for real timers, and split in two so that no deadline can ever be stretched or cut short
 * by a wall-clock step (NTP, an operator, a VM resume).
 */
export interface Clock {
  /** Monotonic milliseconds from an arbitrary origin: the only time deadlines, leases and timeouts use. */
  now(): number;
  /** Milliseconds since the epoch: only for timestamps shown to people (status `since`, the key's value). */
  wallNow(): number;
  /** Resolves after `ms` of monotonic time, or rejects with an AbortError as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function abortError(): Error {
  const error = new Error('aborted');
  error.name = 'AbortError';
  return error;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
