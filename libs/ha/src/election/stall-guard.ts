/**
 * Notices that this process was frozen (SIGSTOP, a paused VM, a very long GC). While frozen, Consul may
 * have handed the lock to another instance; the first thing the process does on waking may be to answer
 * requests queued in its socket or run an overdue timer, before the elector reads the news. So after a
 * freeze, leader-only work (leader probe, dispatch, background jobs) waits until the elector has
 * confirmed the lock again with a renew sent after the freeze was noticed.
 *
 * The freeze is measured against a heartbeat timer: real time on purpose, since a real freeze is what it
 * detects; `now` is injected so tests can drive it.
 */
export class StallGuard {
  private lastBeat: number;
  private stalledSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly now: () => number,
    /** A gap between beats longer than this is a freeze. */
    private readonly thresholdMs: number,
    private readonly onStall: () => void,
    private readonly beatMs = Math.max(10, Math.floor(thresholdMs / 5)),
  ) {
    this.lastBeat = now();
  }

  start(): void {
    this.lastBeat = this.now();
    this.timer ??= setInterval(() => this.beat(), this.beatMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Evaluated lazily by every caller, so even the first callback after a freeze sees it. */
  allows(): boolean {
    const now = this.now();
    if (this.stalledSince === null && this.timer !== null && now - this.lastBeat > this.thresholdMs) {
      this.stalledSince = now;
      this.lastBeat = now; // the freeze is noticed: measure the next one from here
      this.onStall();
    }
    return this.stalledSince === null;
  }

  /** The elector confirmed the lock with a request sent at `sentAt`: a confirmation from after the freeze lifts it. */
  confirmed(sentAt: number): void {
    if (this.stalledSince !== null && sentAt >= this.stalledSince) this.stalledSince = null;
  }

  get stalled(): boolean {
    return this.stalledSince !== null;
  }

  private beat(): void {
    this.allows();
    this.lastBeat = this.now();
  }
}
