import type { Clock } from '../clock/clock.port.js';
import { linkedSignal } from '../clock/linked-signal.js';
import { Backoff } from '../clock/backoff.js';
import { describeError } from '../consul/consul-errors.js';
import type { ConsulPort } from '../consul/consul.port.js';
import { BackgroundDuty } from '../election/background-duty.js';
import type { LeaderValue } from '../election/leader-value.js';
import type { PeerProbePort } from '../election/ports.js';
import type { LeaderWatchPort } from './leader-watch.port.js';

/** The lock holder as one read of the key showed it: its session and the value it wrote. */
export interface SeenHolder {
  sessionId: string;
  value: LeaderValue;
}

export interface PeerCrashDetectorDeps {
  consul: Pick<ConsulPort, 'readKey' | 'destroySession'>;
  clock: Clock;
  watch: LeaderWatchPort;
  probe: PeerProbePort;
  leaderKey: string;
  instanceId: string;
  /** The first pause before watching a holder again after an answer or a failure; doubles up to `retryCapMs`. */
  retryBaseMs: number;
  retryCapMs: number;
  onError: (operation: string, detail: string) => void;
  random?: () => number;
}

/**
 * Crash detection by peers (docs/architecture.md rule 14). While this instance does not hold the lock,
 * it keeps one connection open to the holder the key names (LeaderWatchPort). When that connection
 * breaks, it asks for the one proof that the holder's process is gone, its advertised address refusing
 * connections (PeerProbePort, rule 10's proof); then it reads the key again and, only if the session it
 * saw still holds it, destroys that session, so the race starts at once instead of after Consul's check.
 * A timeout, an unreachable host, a TLS failure or another process answering at that address is no
 * proof: nothing is done, and Consul's own detection (serfHealth, the check, the TTL) stays in charge.
 */
export class PeerCrashDetector extends BackgroundDuty {
  private holder: SeenHolder | null = null;
  /** The session this detector already freed or found gone: never watched again. */
  private settled: string | null = null;
  private changed = new AbortController();
  private readonly backoff: Backoff;
  private readonly freedListeners = new Set<(reason: string) => void>();

  constructor(private readonly deps: PeerCrashDetectorDeps) {
    super();
    this.backoff = new Backoff(deps.retryBaseMs, deps.retryCapMs, deps.random);
  }

  /** Told once per freed lock, with the sentence for the log and the transition history. */
  onFreed(listener: (reason: string) => void): void {
    this.freedListeners.add(listener);
  }

  /** Who holds the key, as the elector last read it; null while this instance holds it or it is free. */
  seen(holder: SeenHolder | null): void {
    const next = holder && holder.value.id !== this.deps.instanceId && !holder.value.released ? holder : null;
    if (next?.sessionId === this.holder?.sessionId) return;
    this.holder = next;
    this.backoff.reset();
    this.changed.abort();
  }

  override stop(): void {
    super.stop();
    this.changed.abort();
  }

  protected async loop(): Promise<void> {
    while (!this.stopper.signal.aborted) {
      if (this.changed.signal.aborted) this.changed = new AbortController();
      const holder = this.holder;
      const link = linkedSignal([this.stopper.signal, this.changed.signal]);
      try {
        await this.step(holder, link.signal);
      } finally {
        link.dispose();
      }
    }
  }

  /** One watch of `holder` (or a pause when there is none to watch); `pause` aborts on stop or a new holder. */
  private async step(holder: SeenHolder | null, pause: AbortSignal): Promise<void> {
    if (!holder || holder.sessionId === this.settled) {
      await this.deps.clock.sleep(this.deps.retryCapMs, pause).catch(() => undefined);
      return;
    }
    const startedAt = this.deps.clock.now();
    const outcome = await this.deps.watch.watch(holder.value, pause).catch(() => 'broken' as const);
    if (pause.aborted) return; // stopped, or another holder: nothing to conclude about this one
    if (outcome === 'broken' && (await this.freeIfGone(holder, pause))) return;
    // a watch that was held for a while (the holder's hold bound ran out) is renewed at once; quick
    // answers and failures back off, so a holder that cannot be watched costs no busy loop
    if (outcome === 'ended' && this.deps.clock.now() - startedAt >= this.deps.retryCapMs) this.backoff.reset();
    else await this.deps.clock.sleep(this.backoff.next(), pause).catch(() => undefined);
  }

  /** Proof, then release: true when this holder is settled (freed now, or no longer holding). */
  private async freeIfGone(holder: SeenHolder, signal: AbortSignal): Promise<boolean> {
    const { consul, probe, leaderKey, instanceId } = this.deps;
    const { id, url } = holder.value;
    const answer = await probe.probe({ id, url }, signal).catch(() => 'unknown' as const);
    if (answer !== 'refused' || signal.aborted) return false;
    try {
      // only the session seen holding the key, and only if it still does: a moved key is left alone
      const now = await consul.readKey(leaderKey);
      if (now.entry?.session !== holder.sessionId) {
        this.settled = holder.sessionId;
        return true;
      }
      await consul.destroySession(holder.sessionId);
    } catch (error) {
      this.deps.onError('peer-crash-detection', describeError(error));
      return false;
    }
    this.settled = holder.sessionId;
    const reason = `lock freed by ${instanceId}: ${id} refuses connections at ${url}`;
    for (const listener of this.freedListeners) listener(reason);
    return true;
  }
}
