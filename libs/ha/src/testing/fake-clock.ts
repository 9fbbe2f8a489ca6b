import { abortError, type Clock } from '../clock/clock.port.js';

interface Sleeper {
  wakeAt: number;
  resolve: () => void;
}

/**
 * A manual clock for scenario tests: time moves only when the test calls advance(), which wakes the
 * sleepers in order and lets the promise chains they start run before moving on.
 */
export class FakeClock implements Clock {
  private current: number;
  private wallOffset: number;
  private sleepers: Sleeper[] = [];

  /** `start` is the monotonic origin; the wall clock starts at `wallStart` and moves with it. */
  constructor(start = 1_000_000, wallStart = Date.UTC(2026, 0, 1)) {
    this.current = start;
    this.wallOffset = wallStart - start;
  }

  now(): number {
    return this.current;
  }

  wallNow(): number {
    return this.current + this.wallOffset;
  }

  /** A wall-clock step (NTP, an operator): moves wallNow() only, never the monotonic time. */
  jumpWall(ms: number): void {
    this.wallOffset += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        wakeAt: this.current + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Number of pending sleeps: lets a test see that the loop is idle, waiting on time. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by `ms`, waking every sleeper due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.sleepers.filter((s) => s.wakeAt <= target).sort((a, b) => a.wakeAt - b.wakeAt)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((s) => s !== due);
      this.current = Math.max(this.current, due.wakeAt);
      due.resolve();
    }
    this.current = target;
    await flushMicrotasks();
  }
}

/** Lets pending promise callbacks run (several rounds, since chains of awaits need one each). */
export async function flushMicrotasks(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
