import { isAbortError, type Clock } from '../clock/clock.port.js';
import { Backoff } from '../clock/backoff.js';
import { BackgroundDuty } from './background-duty.js';
import { describeError } from '../consul/consul-errors.js';
import type { ConsulPort, KeyEntry } from '../consul/consul.port.js';
import { parseLeaderValue, type LeaderValue } from './leader-value.js';
import type { ObservationChannel } from './observation-channel.js';

/**
 * Watches the key with blocking reads while we hold it and posts once it is not ours any more (rule 1):
 * another session holds it, it is free, or it is gone. Errors are retried with backoff; they decide
 * nothing (the lease and the renew deadline do).
 */
export class HoldingWatch extends BackgroundDuty {
  constructor(
    private readonly deps: {
      consul: ConsulPort;
      clock: Clock;
      key: string;
      sessionId: string;
      channel: ObservationChannel;
      blockingWaitMs: number;
      retryCapMs: number;
      random?: () => number;
      onError: (operation: string, detail: string) => void;
      /** The value found when the key stopped being ours (the new leader, as far as the key tells). */
      onNewValue: (value: LeaderValue | null) => void;
      /** Every reading of the key, for rule 13's member record. */
      keySeen?: (entry: KeyEntry | null) => void;
    },
  ) {
    super();
  }

  protected async loop(): Promise<void> {
    const { consul, clock, key, sessionId, channel, blockingWaitMs } = this.deps;
    const { signal } = this.stopper;
    const backoff = new Backoff(500, this.deps.retryCapMs, this.deps.random);
    let index = 0;
    while (!signal.aborted) {
      try {
        const read = await consul.readKey(key, { index, waitMs: blockingWaitMs, signal });
        backoff.reset();
        index = read.index < index ? 0 : read.index; // docs/consul-behaviour.md §5.2: reset when the index goes backwards
        const holder = read.entry?.session ?? null;
        this.deps.keySeen?.(read.entry);
        if (holder !== sessionId) {
          this.deps.onNewValue(holder ? parseLeaderValue(read.entry?.value) : null);
          channel.post({ type: 'key', holder });
          return;
        }
      } catch (error) {
        if (signal.aborted || isAbortError(error)) return;
        this.deps.onError('watch', describeError(error));
        index = 0;
        await clock.sleep(backoff.next(), signal).catch(() => undefined);
      }
    }
  }
}
