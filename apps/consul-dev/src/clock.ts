// Every Consul-side duration (session TTL, lock-delay, blocking waits, check intervals and timeouts)
// goes through this clock, so tests can run Consul's 10 s minimum TTL in milliseconds without changing
// the rules themselves. The default clock is real time (scale 1): exact behaviour.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Consul time in milliseconds (monotonic within one double). */
  now(): number;
  /** Runs `fn` after `ms` of Consul time. */
  setTimer(fn: () => void, ms: number): TimerHandle;
}

/**
 * Real time sped up by `scale` (>= 1 expected): `scale` = 100 turns a 10 s TTL into 100 ms of wall time.
 * Timers are unref'd so a forgotten one never keeps a test process alive.
 */
export function scaledClock(scale = 1): Clock {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`time scale must be a positive number, got ${scale}`);
  const origin = performance.now();
  return {
    now: () => (performance.now() - origin) * scale,
    setTimer(fn, ms) {
      const timer = setTimeout(fn, Math.max(0, ms / scale));
      timer.unref();
      return { cancel: () => clearTimeout(timer) };
    },
  };
}

/** Resolves after `ms` of Consul time, or at once when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = clock.setTimer(done, ms);
    function done() {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
