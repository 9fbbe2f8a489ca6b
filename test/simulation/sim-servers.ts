import { abortError, type Clock } from '../../libs/ha/src/clock/clock.port.js';
import { InMemoryConsul } from '../../libs/ha/src/testing/in-memory-consul.js';
import type { Scheduler } from './scheduler.js';

/** How often the server leader looks for sessions past 2 × TTL (docs/consul-behaviour.md §2.3; Consul is late too). */
const EXPIRY_SWEEP_MS = 1000;

/** The servers' time: the global simulated time, never frozen, never skewed. */
export function serverClock(scheduler: Scheduler): Clock {
  return {
    now: () => scheduler.now,
    wallNow: () => Date.UTC(2026, 0, 1) + scheduler.now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(abortError());
        const event = scheduler.after(ms, () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        const onAbort = () => {
          event.cancelled = true;
          reject(abortError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}

/**
 * The Consul servers of the simulated cluster: one replicated state (the in-memory Consul's KV, sessions
 * and checks), a quorum that can be lost and regained, and a leader that acts on member failures only
 * while it exists (docs/consul-behaviour.md §12.3, §12.6): without quorum nothing is invalidated and
 * nothing expires; the verdicts wait, and a new leader restarts every session timer at 2 × TTL (P24).
 */
export class SimServers {
  readonly state: InMemoryConsul;
  private hasQuorum = true;
  private quorumAt = 0;
  private readonly pendingVerdicts = new Map<string, 'passing' | 'critical'>();
  private readonly pendingLeaves = new Set<string>();

  constructor(private readonly scheduler: Scheduler) {
    this.state = new InMemoryConsul(serverClock(scheduler));
    this.sweep();
  }

  get quorum(): boolean {
    return this.hasQuorum;
  }

  /** Global time since which the servers have had a quorum without a break; null without one. */
  get quorumSince(): number | null {
    return this.hasQuorum ? this.quorumAt : null;
  }

  loseQuorum(): void {
    this.hasQuorum = false;
  }

  regainQuorum(): void {
    if (this.hasQuorum) return;
    this.hasQuorum = true;
    this.quorumAt = this.scheduler.now;
    this.state.rearmSessionTimers();
    for (const node of this.pendingLeaves) this.state.leaveNode(node);
    this.pendingLeaves.clear();
    for (const [node, status] of this.pendingVerdicts) this.state.setNodeHealth(node, status);
    this.pendingVerdicts.clear();
  }

  /** Gossip's verdict on a node's serfHealth, written by the leader (now, or once there is one). */
  nodeVerdict(node: string, status: 'passing' | 'critical'): void {
    if (this.hasQuorum) this.state.setNodeHealth(node, status);
    else this.pendingVerdicts.set(node, status);
  }

  /** A graceful leave: committed now, or once a leader exists. */
  leave(node: string): void {
    this.pendingVerdicts.delete(node);
    if (this.hasQuorum) this.state.leaveNode(node);
    else this.pendingLeaves.add(node);
  }

  private sweep(): void {
    this.scheduler.after(EXPIRY_SWEEP_MS, () => {
      if (this.hasQuorum) this.state.expireSessions();
      this.sweep();
    });
  }
}
