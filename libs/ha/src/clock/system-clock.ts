import { performance } from 'node:perf_hooks';
import { abortError, type Clock } from './clock.port.js';

/**
 * The real clock: the only place in libs/ha that reads time or arms timers for election timing.
 * performance.now() is monotonic (CLOCK_MONOTONIC underneath), and Node's timers run on the same
 * monotonic source, so a wall-clock jump moves neither.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
