// Faults the control API can inject into the Consul API port (§10 item 9). They act in wall-clock
// milliseconds (not the scaled Consul clock): they model the network and the cluster, not Consul timers.

export interface NoLeaderFault {
  /** How long a request is held before the 500 (rpc_hold_timeout is about 7 s on a real agent). */
  holdMs: number;
  since: number;
}

export class FaultState {
  hung = false;
  latencyMs = 0;
  noLeader: NoLeaderFault | null = null;
  private readonly waiters = new Set<() => void>();

  /** Wakes every request waiting on a fault so it re-evaluates (a fault was cleared or changed). */
  changed(): void {
    for (const wake of [...this.waiters]) wake();
  }

  setHang(on: boolean): void {
    this.hung = on;
    this.changed();
  }

  setNoLeader(holdMs: number | null): void {
    this.noLeader = holdMs === null ? null : { holdMs, since: Date.now() };
    this.changed();
  }

  clear(): void {
    this.hung = false;
    this.latencyMs = 0;
    this.noLeader = null;
    this.changed();
  }

  /** Waits until `done()` holds, the fault state changes to satisfy it, `ms` elapses, or `signal` aborts. */
  async waitFor(done: () => boolean, signal: AbortSignal, ms = Infinity): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done() && !signal.aborted && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          signal.removeEventListener('abort', wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = Number.isFinite(ms) ? setTimeout(wake, Math.max(0, deadline - Date.now())) : undefined;
        this.waiters.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  snapshot() {
    return { hang: this.hung, latencyMs: this.latencyMs, noLeader: this.noLeader ? { holdMs: this.noLeader.holdMs } : null, heldRequests: this.waiters.size };
  }
}
