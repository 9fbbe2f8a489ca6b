import type { SimInstance } from './sim-instance.js';
import type { AcceptedWrite } from './sim-store.js';

export interface Violation {
  readonly property: 'one-acting' | 'epoch-order' | 'store-order' | 'fence' | 'failsafe-promise' | 'failsafe-shared-outage' | 'progress';
  readonly at: number;
  readonly detail: string;
}

/**
 * The properties checked after every step of a simulated run (docs/architecture.md § Deterministic
 * simulation):
 * - one-acting: at most one instance would answer 200 on its leader probe now (a frozen one counts: it
 *   acts the moment it is continued);
 * - epoch-order: the acting instance's fencing epoch never goes below one that acted before it;
 * - store-order: the store never accepts, on a document, a write of an older epoch after a newer one;
 * - fence: no write leaves an instance that does not act;
 * - failsafe-promise (rule 13): an instance whose member record still binds it (it confirmed a leader's
 *   failsafe round and the promise runs) does not act;
 * - failsafe-shared-outage (rule 13): a member confirms only through an outage it shares: its agent did
 *   not reach the servers (agent up and a quorum) all the way from the request's arrival to the answer;
 * - progress: the simulated time moves (no loop of the real code spins without waiting).
 */
export class InvariantChecker {
  readonly violations: Violation[] = [];
  private highestActingEpoch = 0;
  private readonly highestStoredEpoch = new Map<string, number>();

  constructor(
    private readonly instances: SimInstance[],
    private readonly now: () => number,
  ) {}

  afterStep(): void {
    const acting = this.instances.filter((i) => i.isActing());
    if (acting.length > 1) {
      const who = acting.map((i) => `${i.id} (term ${termOf(i)}, epoch ${i.graph.epoch}${i.process.frozen ? ', frozen' : ''})`).join(' and ');
      this.report('one-acting', `${acting.length} instances acting at once: ${who}`);
    }
    for (const instance of acting) {
      const epoch = instance.graph.epoch;
      if (epoch < this.highestActingEpoch) this.report('epoch-order', `${instance.id} acts with epoch ${epoch} after epoch ${this.highestActingEpoch} acted`);
      this.highestActingEpoch = Math.max(this.highestActingEpoch, epoch);
    }
    for (const instance of acting) {
      const promised = instance.failsafe?.member.promisedTo(instance.clock.now()) ?? [];
      if (promised.length > 0) this.report('failsafe-promise', `${instance.id} acts while its failsafe confirmation to ${promised.map((m) => m.id).join(', ')} still binds it`);
    }
  }

  /**
   * A member confirmed `leaderId`'s failsafe round; its request reached the member at global time
   * `askedAt`, and the member's agent has reached the servers since `reachingSince` (null: it does not now).
   */
  failsafeConfirmed(member: SimInstance, leaderId: string, askedAt: number, reachingSince: number | null): void {
    if (reachingSince === null || reachingSince >= askedAt) return;
    this.report(
      'failsafe-shared-outage',
      `${member.id} confirmed ${leaderId}'s failsafe round although its agent reached the servers all along (since t=${seconds(reachingSince)}s, asked at t=${seconds(askedAt)}s): failsafe is for an outage every member shares`,
    );
  }

  writeLeaving(writer: SimInstance | undefined, epoch: number): void {
    if (!writer?.isActing()) this.report('fence', `a write of epoch ${epoch} left ${writer?.id ?? 'an unknown instance'}, which does not act`);
  }

  accepted(write: AcceptedWrite): void {
    const highest = this.highestStoredEpoch.get(write.doc) ?? 0;
    if (write.epoch < highest) this.report('store-order', `${write.doc}: a write of epoch ${write.epoch} by ${write.by} accepted after one of epoch ${highest}`);
    this.highestStoredEpoch.set(write.doc, Math.max(highest, write.epoch));
  }

  report(property: Violation['property'], detail: string): void {
    this.violations.push({ property, at: this.now(), detail });
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function termOf(instance: SimInstance): number {
  const state = instance.elector.current;
  return 'term' in state ? state.term : 0;
}
