import { INTERNAL_DEFAULTS } from '../config/internal-defaults.js';
import { findActingMember } from '../failsafe/acting-member-lookup.js';
import type { Member } from '../election/leader-value.js';
import type { ConsulPort } from '../consul/consul.port.js';
import { parseLeaderValue } from '../election/leader-value.js';
import type { ActingTerm } from '../term/acting-term.js';
import type { ForwardTarget } from './forward-attempt.js';
import type { HoldAndForward } from './hold-and-forward.js';
import type { LeaderView } from './leader-view.js';

const { keyPollMs: KEY_POLL_MS, moveAwayMs: MOVE_AWAY_MS, lastArrivalsMs: LAST_ARRIVALS_MS } = INTERNAL_DEFAULTS;
/** Bound on asking the key's members who acts, when Consul does not answer (rule 13): a peer probe's bound. */
const MEMBER_ASK_MS = INTERNAL_DEFAULTS.peerProbeTimeoutMs;

export interface HaLeaderViewDeps {
  instanceId: string;
  /** This instance's advertised URL. */
  url: string;
  leaderKey: string;
  /** null with HA off: there is no key to poll. */
  consul: ConsulPort | null;
  /** Whether this instance acts, holds the lock, or quiesces: the one answer, read, never copied. */
  term: ActingTerm;
  /** The leader as the election last saw it (ourselves while holding the lock, and with HA off). */
  leader: () => ForwardTarget | null;
  /** Subscribes to every election transition; returns the unsubscribe. */
  onElectionChange: (listener: () => void) => () => void;
  /** The cluster's members as last known (rule 13's list): asked who acts when Consul does not answer. */
  knownMembers?: () => Member[];
}

/**
 * LeaderView over the acting term and the election, with the two hand-over phases of a leader that stops on purpose (step-down,
 * SIGTERM):
 * - quiescing: still the acting leader (lease valid), but new requests are held instead of entering the
 *   full graph, so what the graph serves can finish while its writes are still allowed;
 * - after the release: held requests go to the successor.
 * While requests are held and this instance does not hold the lock, it reads the leader key itself
 * (every KEY_POLL_MS): a leader that just stepped down does not watch the key during its hold-off, and a
 * stopping one has no elector any more, yet both must find the successor quickly.
 */
export class HaLeaderView implements LeaderView {
  private stopping = false;
  private polled: { holder: ForwardTarget | null } | null = null;
  private polling: Promise<void> | null = null;
  private forwarding: HoldAndForward | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly deps: HaLeaderViewDeps) {}

  get instanceId(): string {
    return this.deps.instanceId;
  }

  get url(): string {
    return this.deps.url;
  }

  /** The HoldAndForward this view serves: polling runs while it holds requests. */
  attach(forwarding: HoldAndForward): void {
    this.forwarding = forwarding;
  }

  mayAct(): boolean {
    return this.deps.term.mayAct();
  }

  mayActSoon(): boolean {
    return !this.stopping && this.deps.term.holdsLock;
  }

  holder(): ForwardTarget | null {
    // a holder cut off from Consul whose lease lapsed: another instance may act already (rule 13's members tell)
    const elsewhere = this.polled?.holder;
    if (!this.stopping && this.deps.term.holdsLock && elsewhere && elsewhere.id !== this.instanceId && !this.deps.term.mayAct()) return elsewhere;
    if (!this.stopping && this.deps.term.holdsLock) return this.deps.leader();
    if (this.polled) return this.polled.holder;
    if (this.stopping) return null;
    const leader = this.deps.leader();
    // our own stale value (released a moment ago): nobody known yet
    return leader && leader.id !== this.instanceId ? leader : null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    const offElection = this.deps.onElectionChange(listener);
    const offTerm = this.deps.term.onChange(listener);
    return () => {
      offElection();
      offTerm();
      this.listeners.delete(listener);
    };
  }

  requestHeld(): void {
    this.polling ??= this.poll().finally(() => (this.polling = null));
  }

  /**
   * Shutdown, after the lock was released and before the server stops listening: keep holding and
   * forwarding what arrives until nothing is pending (bounded), looking up the successor in the key.
   */
  async handOver(forwarding: HoldAndForward, boundMs: number, server?: { close(): unknown }): Promise<void> {
    this.stopping = true;
    this.requestHeld();
    this.notify();
    await forwarding.idle(boundMs);
    // still listening a moment after the release: forwarders (their key poll) and proxies (their leader
    // probe) move to the successor meanwhile, and what they still send is handed over. Closing the
    // listener resets the connections the kernel had accepted but Node had not: a POST on one of those
    // would fail, so as few as possible may still be coming.
    await new Promise((resolve) => setTimeout(resolve, Math.min(boundMs, MOVE_AWAY_MS)));
    await forwarding.idle(boundMs);
    // no new connection from now on (refused: any proxy or forwarder may send it elsewhere), idle ones
    // closed; a request that reached us a moment ago is still held and handed over before the sockets go
    server?.close();
    await forwarding.idle(Math.min(boundMs, LAST_ARRIVALS_MS));
    this.stopping = false; // ends the polling loop; the server closes next
  }

  /** While handing over at shutdown: every answer closes its connection, so none is idle at the end. */
  isStopping(): boolean {
    return this.stopping;
  }

  private shouldPoll(): boolean {
    if (this.stopping) return true;
    // also while holding the lock without acting: cut off from Consul, the lease lapsed, a successor may act
    return (this.forwarding?.pending ?? 0) > 0 && (!this.deps.term.holdsLock || !this.deps.term.mayAct());
  }

  private async poll(): Promise<void> {
    const { consul } = this.deps;
    if (!consul) return;
    while (this.shouldPoll() || (this.forwarding?.pending ?? 0) > 0) {
      if (this.shouldPoll()) {
        const next = await this.lookUpHolder(consul);
        if (next !== undefined) {
          const changed = next?.id !== this.polled?.holder?.id || this.polled === null;
          this.polled = { holder: next };
          if (changed) this.notify();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, KEY_POLL_MS));
    }
    this.polled = null;
  }

  /**
   * The holder as the key names it; when Consul does not answer, whichever of the key's members says it
   * acts (they reach Consul: rule 13's list), so requests held here are passed on, not timed out.
   * Undefined: nothing learnt this time.
   */
  private async lookUpHolder(consul: ConsulPort): Promise<ForwardTarget | null | undefined> {
    try {
      const read = await consul.readKey(this.deps.leaderKey);
      const value = read.entry?.session ? parseLeaderValue(read.entry.value) : null;
      return value && !value.released && value.id !== this.instanceId ? { id: value.id, url: value.url } : null;
    } catch {
      const acting = await findActingMember(this.deps.knownMembers?.() ?? [], this.instanceId, MEMBER_ASK_MS);
      return acting ? { id: acting.id, url: acting.url } : undefined;
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
