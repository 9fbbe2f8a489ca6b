import type { Clock } from '../clock/clock.port.js';
import { BackgroundDuty } from './background-duty.js';
import type { ObservationChannel } from './observation-channel.js';
import type { LocalHealthPort } from './ports.js';

/**
 * Rule 8's mirror (docs/architecture.md): while we hold the lock, our own health indicators are polled
 * every pollMs, and once they have been down `failuresBeforeDown` times in a row the leader stops acting
 * and hands the lock back, instead of waiting up to a check period for Consul's check to notice. The
 * streak is the hysteresis: one slow answer is not a failover.
 */
export class HealthWatch extends BackgroundDuty {
  constructor(
    private readonly deps: {
      health: LocalHealthPort;
      clock: Clock;
      channel: ObservationChannel;
      pollMs: number;
      failuresBeforeDown: number;
    },
  ) {
    super();
  }

  protected async loop(): Promise<void> {
    const { health, clock, channel, pollMs, failuresBeforeDown } = this.deps;
    const { signal } = this.stopper;
    let failures = 0;
    while (!signal.aborted) {
      await clock.sleep(pollMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      const result = await health.check().catch((error: unknown) => ({ up: false, detail: String(error) }));
      failures = result.up ? 0 : failures + 1;
      if (failures >= failuresBeforeDown) {
        channel.post({ type: 'unhealthy', detail: result.detail });
        return;
      }
    }
  }
}
