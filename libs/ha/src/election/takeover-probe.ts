import type { Clock } from '../clock/clock.port.js';
import { BackgroundDuty } from './background-duty.js';
import type { ObservationChannel } from './observation-channel.js';
import type { PeerProbePort } from './ports.js';

/**
 * Rule 10 (docs/architecture.md): after taking the lock from a peer that did not release it cleanly, ask
 * that peer whether it still acts. Connection refused (the process is gone) or its own "not acting"
 * answer (a promise its acting term keeps: ActingTerm.promiseNotActing) makes the takeover safe at once;
 * anything else (it still acts, no answer, a frozen process) keeps us waiting for its lease, which the
 * decide() timer ends anyway.
 */
export class TakeoverProbe extends BackgroundDuty {
  constructor(
    private readonly deps: {
      probe: PeerProbePort;
      clock: Clock;
      channel: ObservationChannel;
      peer: { id: string; url: string };
      intervalMs: number;
    },
  ) {
    super();
  }

  protected async loop(): Promise<void> {
    const { probe, clock, channel, peer, intervalMs } = this.deps;
    const { signal } = this.stopper;
    while (!signal.aborted) {
      const answer = await probe.probe(peer, signal).catch(() => 'unknown' as const);
      if (signal.aborted) return;
      if (answer === 'refused') return channel.post({ type: 'predecessor-stopped', detail: `${peer.id} refuses connections at ${peer.url}` });
      if (answer === 'not-acting') return channel.post({ type: 'predecessor-stopped', detail: `${peer.id} says it is not acting` });
      await clock.sleep(intervalMs, signal).catch(() => undefined);
    }
  }
}
