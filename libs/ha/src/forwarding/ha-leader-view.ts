import { parseLeaderValue } from '../election/leader-value.js';
import type { HaService } from '../ha.service.js';
import type { ForwardTarget } from './forward-attempt.js';
import type { HoldAndForward } from './hold-and-forward.js';
import type { LeaderView } from './leader-view.js';

/** How often a stopping instance reads the leader key to find its successor. */
const SUCCESSOR_POLL_MS = 200;

/**
 * LeaderView over HaService. While the instance shuts down (its elector stopped, so nobody watches the
 * key for it any more) it reads the leader key itself, so requests still held here reach the successor.
 */
export class HaLeaderView implements LeaderView {
  private stopping = false;
  private successor: ForwardTarget | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly ha: HaService) {}

  get instanceId(): string {
    return this.ha.instanceId;
  }

  isActing(): boolean {
    return !this.stopping && this.ha.isActing;
  }

  mayActSoon(): boolean {
    if (this.stopping) return false;
    const status = this.ha.status();
    return status.leader?.id === this.instanceId && (status.role === 'activating' || status.role === 'leader');
  }

  holder(): ForwardTarget | null {
    if (this.stopping) return this.successor;
    return this.ha.status().leader;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    const off = this.ha.onChange(listener);
    return () => {
      off();
      this.listeners.delete(listener);
    };
  }

  /**
   * Shutdown, after the lock was released and before the server stops listening: keep holding and
   * forwarding what arrives until nothing is pending (bounded), looking up the successor in the key.
   */
  async handOver(forwarding: HoldAndForward, boundMs: number): Promise<void> {
    this.stopping = true;
    this.notify();
    const consul = this.ha.runtime.consul;
    if (!consul) return;
    let polling = true;
    const poll = async () => {
      while (polling) {
        try {
          const read = await consul.readKey(this.ha.runtime.config.leaderKey);
          const value = read.entry?.session ? parseLeaderValue(read.entry.value) : null;
          const next = value && value.id !== this.instanceId ? { id: value.id, url: value.url } : null;
          if (next?.id !== this.successor?.id) {
            this.successor = next;
            this.notify();
          }
        } catch {
          // Consul unreachable: held requests time out with their 503
        }
        await new Promise((resolve) => setTimeout(resolve, SUCCESSOR_POLL_MS));
      }
    };
    const loop = poll();
    await forwarding.idle(boundMs);
    polling = false;
    await loop;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
