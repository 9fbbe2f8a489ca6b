import type { Clock } from '../clock/clock.port.js';
import { INTERNAL_DEFAULTS } from '../config/internal-defaults.js';
import { SessionInvalidatedError } from '../consul/consul-errors.js';
import type { ConsulPort, KeyEntry, KeyRead } from '../consul/consul.port.js';
import { listedIn } from '../failsafe/members.js';
import { parseLeaderValue, type LeaderValue } from './leader-value.js';
import type { Observation } from './observation.js';
import type { ElectorIdentity, LocalHealthPort, PeerProbePort } from './ports.js';
import { pendingTakeoverOf, predecessorOf } from './predecessor.js';

export interface AcquireTimings {
  blockingWaitMs: number;
  /**
   * Rule 13: how long an instance the key's `members` do not list waits, once it sees the key freed
   * without release, before it races (0: failsafe off, no wait).
   */
  unlistedWaitMs?: number;
}

/**
 * One step of the race for the lock while we have a session: read the key (blocking while someone else
 * holds it, but never past our own next renewal), then, when it is free, check our health once more and
 * try to acquire. Keeps the index to block on between steps.
 */
export class AcquireAttempt {
  private watchIndex = 0;
  /** An earlier session of ours we asked to destroy: if it still holds the key, watch once before asking again. */
  private staleAsked: string | null = null;
  /** Whether any read of this process has shown the key present (docs/architecture.md, cold start). */
  private keySeen = false;
  /** The leader as last read from the key (null when free). */
  lastValue: LeaderValue | null = null;
  /** The session holding the key at the last read, with the value it wrote (null when free or not ours to read). */
  lastHolder: { sessionId: string; value: LeaderValue } | null = null;
  /** The freed-without-release value we, unlisted, stay out of the race for, and since when (monotonic). */
  private stayingOut: { modifyIndex: number; since: number } | null = null;

  constructor(
    private readonly deps: {
      consul: ConsulPort;
      clock: Clock;
      health: LocalHealthPort;
      identity: ElectorIdentity;
      timings: AcquireTimings;
      leaderValue: (term: number, since: number, takeoverPending?: string) => LeaderValue;
      /** Every reading of the key, for rule 13's member record. */
      keySeen?: (entry: KeyEntry | null) => void;
      /** Rule 13: asks whether the leader that freed the key without release is gone (refuses connections). */
      peers?: PeerProbePort;
    },
  ) {}

  /** Start over with a plain read (a new session, or after an error). */
  reset(): void {
    this.watchIndex = 0;
  }

  /**
   * `standBackOverFor`: the ModifyIndex of a hand-over release whose stand-back window decide() declared
   * over, so that this attempt races for it after all.
   */
  async run(sessionId: string, untilRenewMs: number, signal: AbortSignal, standBackOverFor: number | null = null): Promise<Observation> {
    const blocked = this.watchIndex !== 0;
    const read = await this.read(untilRenewMs, signal);
    this.deps.keySeen?.(read.entry);
    const freeSeenAt = this.deps.clock.now();
    const keySeenBefore = this.keySeen;
    this.keySeen ||= read.entry !== null;
    const holder = read.entry?.session ?? null;
    const value = parseLeaderValue(read.entry?.value);
    this.lastValue = holder ? value : null;
    this.lastHolder = holder && value ? { sessionId: holder, value } : null;
    if (holder && holder !== sessionId) {
      if (this.isOwnStale(holder, value)) {
        this.watchIndex = 0;
        this.staleAsked = holder;
        return { type: 'stale-own-session', holder };
      }
      this.staleAsked = null;
      this.watchIndex = read.index;
      return { type: 'key', holder };
    }
    this.watchIndex = 0;
    // a leader that stepped down for a named candidate: decide() lets it have the first try
    const candidate = value?.released ? value.candidate : undefined;
    if (candidate && candidate !== this.deps.identity.instanceId && read.entry && read.entry.modifyIndex !== standBackOverFor) {
      return { type: 'released-for-candidate', candidate, modifyIndex: read.entry.modifyIndex };
    }
    const unlisted = await this.stayOutUnlisted(read, value, freeSeenAt, untilRenewMs, signal);
    if (unlisted) return unlisted;
    // rule 8 again: the read may have blocked for seconds, so the health seen before it is stale (a
    // fault that hits every instance frees the key exactly when our own health has just gone down)
    if (blocked) {
      const fresh = await this.deps.health.check();
      if (!fresh.up) return { type: 'unhealthy', detail: fresh.detail };
    }
    return this.tryAcquire(sessionId, read, freeSeenAt, keySeenBefore);
  }

  /**
   * Rule 14: the value names this instance but the session is not ours, so that session belongs to a
   * process of ours that is gone or to a term of ours that ended (instance ids are unique). Asked once
   * per holder; when the destroy did not take, the next read blocks before we ask again.
   */
  private isOwnStale(holder: string, value: LeaderValue | null): boolean {
    if (value?.id !== this.deps.identity.instanceId || value.released) return false;
    if (this.staleAsked !== holder) return true;
    this.staleAsked = null;
    return false;
  }

  /**
   * Rule 13: a key freed without release whose `members` do not list us may still have its leader acting
   * on failsafe rounds (it never asked us); we race only once that leader's failsafe and lease are over,
   * or at once when its address refuses connections: a process that is gone acts on nothing, and a new
   * one at that address acts only after winning the lock (docs/architecture.md, rule 13, "unlisted").
   */
  private async stayOutUnlisted(read: KeyRead, value: LeaderValue | null, now: number, untilRenewMs: number, signal: AbortSignal): Promise<Observation | null> {
    const waitForMs = this.deps.timings.unlistedWaitMs ?? 0;
    if (waitForMs <= 0 || !read.entry || value?.released || listedIn(value, this.deps.identity.instanceId)) {
      this.stayingOut = null;
      return null;
    }
    if (this.stayingOut?.modifyIndex !== read.entry.modifyIndex) this.stayingOut = { modifyIndex: read.entry.modifyIndex, since: now };
    const waitMs = this.stayingOut.since + waitForMs - now;
    if (waitMs <= 0) return null;
    if (value && (await this.deps.peers?.probe({ id: value.id, url: value.url }, signal).catch(() => 'unknown' as const)) === 'refused') return null;
    // the session is renewed between two looks, so the wait is taken in pieces no longer than that
    return { type: 'not-listed', leaderId: value?.id ?? 'unknown', waitMs: Math.max(1, Math.min(waitMs, untilRenewMs)) };
  }

  private read(untilRenewMs: number, signal: AbortSignal): Promise<KeyRead> {
    const { consul, identity, timings } = this.deps;
    if (this.watchIndex === 0) return consul.readKey(identity.leaderKey);
    return consul.readKey(identity.leaderKey, {
      index: this.watchIndex,
      waitMs: Math.min(timings.blockingWaitMs, Math.max(INTERNAL_DEFAULTS.minBlockingWaitMs, untilRenewMs)),
      signal,
    });
  }

  private async tryAcquire(sessionId: string, before: KeyRead, freeSeenAt: number, keySeenBefore: boolean): Promise<Observation> {
    const { consul, identity, clock } = this.deps;
    const since = clock.wallNow();
    const predictedTerm = (before.entry?.lockIndex ?? 0) + (before.entry?.session === sessionId ? 0 : 1);
    const predecessor = predecessorOf(parseLeaderValue(before.entry?.value), before.entry !== null, identity.instanceId, keySeenBefore);
    try {
      const pending = pendingTakeoverOf(predecessor);
      const value = (term: number) => JSON.stringify(this.deps.leaderValue(term, since, pending));
      const sentAt = clock.now();
      if (!(await consul.acquire(identity.leaderKey, sessionId, value(predictedTerm)))) {
        const after = await consul.readKey(identity.leaderKey);
        return { type: 'refused', holder: after.entry?.session ?? null };
      }
      const after = await consul.readKey(identity.leaderKey);
      if (after.entry?.session !== sessionId) return { type: 'key', holder: after.entry?.session ?? null };
      const term = after.entry.lockIndex;
      // a re-acquire by the holder keeps LockIndex, so this only corrects the advertised term
      if (term !== predictedTerm) await consul.acquire(identity.leaderKey, sessionId, value(term));
      return { type: 'acquired', term, since, sentAt, freeSeenAt, predecessor };
    } catch (error) {
      if (error instanceof SessionInvalidatedError) return { type: 'session-gone' };
      throw error;
    }
  }
}
