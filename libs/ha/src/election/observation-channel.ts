import type { Observation } from './observation.js';

/**
 * Where the background duties of one term (renew, proof, watch, health, takeover probe, activation) post
 * what they saw. The loop takes one observation per step, so a slow Consul call in one duty never holds a
 * decision up (docs/architecture.md, rule 11). Observations stay queued until taken, so one that arrives
 * while the loop is busy elsewhere is never lost; a closed channel drops late posts from a finished term.
 */
export class ObservationChannel {
  private readonly queue: Observation[] = [];
  private readonly waiters = new Set<() => void>();
  private closed = false;

  post(observation: Observation): void {
    if (this.closed) return;
    this.queue.push(observation);
    for (const wake of [...this.waiters]) wake();
    this.waiters.clear();
  }

  /** Resolves once an observation is queued; never once the channel is closed. */
  ready(signal: AbortSignal): Promise<void> {
    if (this.queue.length > 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      if (this.closed || signal.aborted) return;
      const wake = () => resolve();
      this.waiters.add(wake);
      signal.addEventListener('abort', () => this.waiters.delete(wake), { once: true });
    });
  }

  take(): Observation | undefined {
    return this.queue.shift();
  }

  close(): void {
    this.closed = true;
    this.waiters.clear();
    this.queue.length = 0;
  }
}
