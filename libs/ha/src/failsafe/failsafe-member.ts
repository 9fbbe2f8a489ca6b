import type { Clock } from '../clock/clock.port.js';
import { describeError } from '../consul/consul-errors.js';
import type { ConsulPort, KeyEntry } from '../consul/consul.port.js';
import { parseLeaderValue, type Member } from '../election/leader-value.js';
import { judgeFailsafe, type KeySighting, type MemberView } from './failsafe-judge.js';
import type { FailsafeRequest } from './failsafe-request.js';

/** Readings of the key kept for the judge: far more than the terms one failsafe can span. */
const SIGHTINGS_KEPT = 64;

export interface FailsafeMemberTimings {
  /** Lease + takeover margin: how long a confirmation binds this instance (rule 13's promise). */
  promiseMs: number;
  /** Bound of the `?consistent` read that tells whether this instance reaches Consul itself. */
  consulCheckMs: number;
}

export type Confirmation = { confirmed: true; promisedUntil: number } | { confirmed: false; reason: string };

/**
 * The member's side of rule 13 (docs/architecture.md): keeps what this instance saw of the key, judges a
 * leader's request (failsafe-judge.ts) after a bounded `?consistent` read of its own, and keeps the
 * promise it makes by confirming: not to act on any lock before confirmation time + lease + margin,
 * unless rule 10 proves that leader stopped (it released the key, refuses connections, or says it does
 * not act). The elector asks promiseBinds() before acting.
 */
export class FailsafeMember {
  private readonly sightings: KeySighting[] = [];
  private highestLockIndex = 0;
  /** Rule 13's promises, per leader confirmed: the latest confirmation time + lease + margin. */
  private readonly promises = new Map<string, number>();
  /** Where each leader seen in the key's value said it is reached. */
  private readonly urls = new Map<string, string>();

  constructor(
    private readonly deps: {
      consul: ConsulPort;
      clock: Clock;
      key: string;
      selfId: string;
      enabled: boolean;
      timings: FailsafeMemberTimings;
    },
  ) {}

  /** Every reading of the key this instance makes (race, watch, proof) comes through here. */
  keySeen(entry: KeyEntry | null): void {
    this.highestLockIndex = Math.max(this.highestLockIndex, entry?.lockIndex ?? 0);
    // an absent key after a term was seen (state loss, delete) is as telling as a free one
    this.remember({ session: entry?.session ?? null, lockIndex: entry?.lockIndex ?? this.highestLockIndex });
    const value = entry ? parseLeaderValue(entry.value) : null;
    if (value) this.urls.set(value.id, value.url);
    if (value?.released) this.promises.delete(value.id); // rule 4: it stopped cleanly
  }

  /** Rule 10 proved `leaderId` stopped (connection refused, or its own "not acting"): the promise is kept. */
  leaderStopped(leaderId: string): void {
    this.promises.delete(leaderId);
  }

  /** True while a confirmation forbids this instance to act. */
  promiseBinds(now: number): boolean {
    for (const [leaderId, until] of this.promises) {
      if (now < until) return true;
      this.promises.delete(leaderId);
    }
    return false;
  }

  /** The leaders this instance promised not to act for, while the promise runs. */
  promisedTo(now: number): Member[] {
    return [...this.promises].filter(([, until]) => now < until).map(([id]) => ({ id, url: this.urls.get(id) ?? '' }));
  }

  async confirm(request: FailsafeRequest, local: () => { holdsLock: boolean; acting: boolean }): Promise<Confirmation> {
    const view = (consul: MemberView['consul']): MemberView => ({ enabled: this.deps.enabled, selfId: this.deps.selfId, ...local(), consul, sightings: this.sightings });
    // the cheap refusals first, without touching Consul
    const early = judgeFailsafe(request, view({ reached: false, detail: 'not asked yet' }));
    if (!early.confirmed) return early;
    const consul = await this.reachConsul();
    // judged again after the read: the state may have changed while it ran
    const verdict = judgeFailsafe(request, view(consul));
    if (!verdict.confirmed) return verdict;
    const until = this.deps.clock.now() + this.deps.timings.promiseMs;
    this.promises.set(request.leaderId, Math.max(this.promises.get(request.leaderId) ?? -Infinity, until));
    return { confirmed: true, promisedUntil: until };
  }

  private async reachConsul(): Promise<MemberView['consul']> {
    const { consul, clock, key, timings } = this.deps;
    const bound = new AbortController();
    const done = new AbortController();
    void clock.sleep(timings.consulCheckMs, done.signal).then(() => bound.abort(), () => undefined);
    try {
      const read = await consul.readKey(key, { consistent: true, signal: bound.signal });
      this.keySeen(read.entry);
      return { reached: true, holder: read.entry?.session ?? null };
    } catch (error) {
      return { reached: false, detail: bound.signal.aborted ? `no answer within ${timings.consulCheckMs} ms` : describeError(error) };
    } finally {
      done.abort();
    }
  }

  private remember(sighting: KeySighting): void {
    const last = this.sightings.at(-1);
    if (last?.session === sighting.session && last.lockIndex === sighting.lockIndex) return;
    this.sightings.push(sighting);
    if (this.sightings.length > SIGHTINGS_KEPT) this.sightings.shift();
  }
}
