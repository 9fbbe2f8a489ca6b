import type { Clock } from '../clock/clock.port.js';
import type { ConsulPort } from '../consul/consul.port.js';
import { BackgroundDuty } from './background-duty.js';
import type { ObservationChannel } from './observation-channel.js';
import type { PeerProbePort } from './ports.js';

/**
 * Rule 10 with no named predecessor (docs/architecture.md, "A cold start without the lease wait"): after
 * taking a key that did not exist, ask every other instance the catalog lists for the service, whatever
 * its check says. When every one of them refuses connections or promises it does not act, nobody else
 * can be acting and the takeover is safe at once; one silence or "acting" keeps us asking until the
 * lease wait (decide()'s timer) ends it anyway.
 */
export class CatalogProbe extends BackgroundDuty {
  constructor(
    private readonly deps: {
      consul: Pick<ConsulPort, 'listServiceInstances'>;
      probe: PeerProbePort;
      clock: Clock;
      channel: ObservationChannel;
      serviceName: string;
      instanceId: string;
      /** `http:` or `https:`: the scheme every instance serves (ha.serverProtocol is cluster-wide). */
      protocol: string;
      intervalMs: number;
    },
  ) {
    super();
  }

  protected async loop(): Promise<void> {
    const { clock, channel, intervalMs } = this.deps;
    const { signal } = this.stopper;
    while (!signal.aborted) {
      const verdict = await this.askEveryone(signal).catch(() => null);
      if (signal.aborted) return;
      if (verdict) return channel.post({ type: 'predecessor-stopped', detail: verdict });
      await clock.sleep(intervalMs, signal).catch(() => undefined);
    }
  }

  /** The proof sentence when every other listed instance refused or promised; null otherwise. */
  private async askEveryone(signal: AbortSignal): Promise<string | null> {
    const { consul, probe, serviceName, instanceId, protocol } = this.deps;
    const prefix = `${serviceName}-`;
    const others = (await consul.listServiceInstances(serviceName))
      .map((s) => ({ id: s.serviceId.startsWith(prefix) ? s.serviceId.slice(prefix.length) : s.serviceId, url: `${protocol}//${urlHost(s.address)}:${s.port}` }))
      .filter((peer) => peer.id !== instanceId);
    const answers = await Promise.all(others.map((peer) => probe.probe(peer, signal).catch(() => 'unknown' as const)));
    if (answers.some((a) => a !== 'refused' && a !== 'not-acting')) return null;
    if (others.length === 0) return 'the catalog lists no other instance';
    return `every other instance the catalog lists refuses connections or says it is not acting (${others.map((p) => p.id).join(', ')})`;
  }
}

function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
