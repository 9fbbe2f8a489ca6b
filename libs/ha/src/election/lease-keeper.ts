import type { Clock } from '../clock/clock.port.js';
import { describeError } from '../consul/consul-errors.js';
import { BackgroundDuty } from './background-duty.js';
import type { ConsulPort } from '../consul/consul.port.js';
import type { ObservationChannel } from './observation-channel.js';

export interface LeaseKeeperTimings {
  renewIntervalMs: number;
  renewRetryMs: number;
  proveIntervalMs: number;
  proveRetryMs: number;
}

/**
 * Keeps the lock's two confirmations coming while we hold it (docs/architecture.md, rules 2 and 9), each
 * in its own loop so that neither waits on the other or on the election loop:
 * - renew the session every renewIntervalMs (retry every renewRetryMs after a failure);
 * - prove ownership with a `?consistent` read of the key every proveIntervalMs (retry every proveRetryMs),
 *   or at once when asked (a takeover became safe while the lease was not valid).
 * Results are posted as observations; the pure decide() judges them against the deadlines.
 */
export class LeaseKeeper extends BackgroundDuty {
  private proveWake = new AbortController();

  constructor(
    private readonly deps: {
      consul: ConsulPort;
      clock: Clock;
      key: string;
      sessionId: string;
      /** Monotonic send time of the session's last accepted renew: the first renew is due one interval after it. */
      renewedAt: number;
      channel: ObservationChannel;
      timings: LeaseKeeperTimings;
      onError: (operation: string, detail: string) => void;
    },
  ) {
    super();
  }

  protected async loop(): Promise<void> {
    await Promise.all([this.renewLoop(), this.proveLoop()]);
  }

  proveNow(): void {
    this.proveWake.abort();
  }

  private async renewLoop(): Promise<void> {
    const { consul, clock, sessionId, channel, timings } = this.deps;
    // counted from the last renew, not from the holding's start: the deadline (rule 2) counts from it too
    let waitMs = Math.max(0, this.deps.renewedAt + timings.renewIntervalMs - clock.now());
    while (await this.pause(waitMs)) {
      const sentAt = clock.now();
      try {
        if (!(await consul.renewSession(sessionId))) {
          channel.post({ type: 'session-gone' });
          return;
        }
        channel.post({ type: 'renewed', sentAt });
        waitMs = timings.renewIntervalMs;
      } catch (error) {
        if (this.stopper.signal.aborted) return;
        this.deps.onError('renew', describeError(error));
        waitMs = timings.renewRetryMs;
      }
    }
  }

  private async proveLoop(): Promise<void> {
    const { consul, clock, key, sessionId, channel, timings } = this.deps;
    let waitMs = timings.proveIntervalMs;
    for (;;) {
      const woken = this.proveWake;
      if (!(await this.pause(waitMs, woken.signal))) return;
      if (woken.signal.aborted) this.proveWake = new AbortController();
      const sentAt = clock.now();
      try {
        const read = await consul.readKey(key, { consistent: true, signal: this.stopper.signal });
        const holder = read.entry?.session ?? null;
        if (holder !== sessionId) {
          channel.post({ type: 'key', holder }); // rule 1: the proof shows the key is not ours
          return;
        }
        channel.post({ type: 'proven', sentAt });
        waitMs = timings.proveIntervalMs;
      } catch (error) {
        if (this.stopper.signal.aborted) return;
        this.deps.onError('prove', describeError(error));
        waitMs = timings.proveRetryMs;
      }
    }
  }

  /** False once stopped; an early wake (proveNow) ends the pause without error. */
  private async pause(ms: number, wake?: AbortSignal): Promise<boolean> {
    if (this.stopper.signal.aborted) return false;
    const signal = wake ? AbortSignal.any([this.stopper.signal, wake]) : this.stopper.signal;
    if (ms > 0) await this.deps.clock.sleep(ms, signal).catch(() => undefined);
    return !this.stopper.signal.aborted;
  }
}
