import type { Clock } from '../clock/clock.port.js';
import { describeError } from '../consul/consul-errors.js';
import type { ConsulPort } from '../consul/consul.port.js';
import { linkedSignal } from '../clock/linked-signal.js';
import { BackgroundDuty } from '../election/background-duty.js';
import type { Member } from '../election/leader-value.js';
import { membersOf, sameMembers, unionOf } from './members.js';

/**
 * Keeps the leader key's `members` (docs/architecture.md, rule 13) up to date while this instance leads:
 * every `intervalMs` it lists the service's instances and, when the passing set changed, rewrites the
 * value under its own session (a re-acquire by the holder: same lock index, new value). A write whose
 * outcome is unknown (still in flight, or Consul failed mid-way) may have landed, so until a later write
 * is acknowledged its list counts too: a failsafe round asks every instance that any reader may have
 * found listed.
 */
export class MembersKeeper extends BackgroundDuty {
  private acknowledged: Member[] | null = null;
  private uncertain: Member[] = [];

  constructor(
    private readonly deps: {
      consul: ConsulPort;
      clock: Clock;
      key: string;
      sessionId: string;
      serviceName: string;
      protocol: string;
      self: Member;
      intervalMs: number;
      /** The key's value with these members (the leader's own value otherwise). */
      valueWith: (members: Member[]) => string;
      /** Writes only while this instance leads (not while activating or after the term). */
      leading: () => boolean;
      onError: (operation: string, detail: string) => void;
    },
  ) {
    super();
  }

  /** Whom a failsafe round must ask: null until a list was acknowledged (no failsafe without one). */
  forRounds(): Member[] | null {
    return this.acknowledged ? unionOf(this.acknowledged, this.uncertain) : null;
  }

  /**
   * Writes at once instead of at the next interval: the holding has just started to lead, and this
   * keeper is its one writer of the key's value (own-key-value.ts), so the `takeoverPending` of the
   * acquire must go now: a crash right after would otherwise cost the next holder a lease wait.
   */
  writeNow(): void {
    this.wake.abort();
  }

  private wake = new AbortController();

  protected async loop(): Promise<void> {
    const { clock, intervalMs } = this.deps;
    while (!this.stopper.signal.aborted) {
      if (this.wake.signal.aborted) this.wake = new AbortController();
      if (this.deps.leading()) await this.refresh();
      if (this.wake.signal.aborted) continue; // asked again while writing
      const pause = linkedSignal([this.stopper.signal, this.wake.signal]);
      await clock.sleep(intervalMs, pause.signal).catch(() => undefined);
      pause.dispose();
    }
  }

  private async refresh(): Promise<void> {
    const { consul, key, sessionId, serviceName, protocol, self } = this.deps;
    let members: Member[];
    try {
      members = membersOf(await consul.listServiceInstances(serviceName), serviceName, protocol, self);
    } catch (error) {
      if (!this.stopper.signal.aborted) this.deps.onError('list members', describeError(error));
      return;
    }
    if (sameMembers(members, this.acknowledged ?? undefined) && this.uncertain.length === 0) return;
    // uncertain from the moment it is sent: the servers may apply it long before its answer comes back
    this.uncertain = unionOf(this.uncertain, members);
    try {
      // false: the key is not ours any more, which the watch and the proofs report (rule 1)
      if (await consul.acquire(key, sessionId, this.deps.valueWith(members))) {
        this.acknowledged = members;
        this.uncertain = [];
      }
    } catch (error) {
      if (!this.stopper.signal.aborted) this.deps.onError('write members', describeError(error));
    }
  }
}
