import { abortError, type Clock } from '../../libs/ha/src/clock/clock.port.js';
import type { Scheduler } from './scheduler.js';
import type { SimProcess } from './sim-process.js';

/**
 * The Clock port (docs/architecture.md rule 12) of one process incarnation, on the simulation's global
 * time: its monotonic clock starts at an arbitrary origin and runs at `rate` (a skew within the takeover
 * margin), its sleeps wake through the process's gate (a frozen process wakes late, a crashed one never).
 */
export class SimClock implements Clock {
  private readonly startedAt: number;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly process: SimProcess,
    readonly rate: number,
    private readonly origin: number,
    private readonly wallOrigin = Date.UTC(2026, 0, 1),
  ) {
    this.startedAt = scheduler.now;
  }

  now(): number {
    return this.origin + (this.scheduler.now - this.startedAt) * this.rate;
  }

  wallNow(): number {
    return this.wallOrigin + this.now();
  }

  /**
   * The global delay after which this clock has moved at least `ms`: rounded up to a whole global
   * millisecond, so that a sleeper never wakes a hair before its deadline and sleeps again forever.
   */
  private globalDelayOf(ms: number): number {
    const exact = this.scheduler.now + Math.max(0, ms) / this.rate;
    return Math.ceil(exact + 1e-6) - this.scheduler.now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        event.cancelled = true;
        reject(abortError());
      };
      const event = this.process.after(this.globalDelayOf(ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
