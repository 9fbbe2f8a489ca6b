import type { Observation } from './observation.js';

/**
 * The one mailbox of the election loop: requests from outside (shutdown, step-down) wait here until the
 * loop takes them, in whatever state it is (decide() has a row for a shutdown in every state). Posting
 * also interrupts the loop's current wait, through `wakeSignal`.
 */
export class Mailbox {
  private shutdown: 'none' | 'pending' | 'delivered' = 'none';
  private stepDown: { candidate?: string } | null = null;
  private wake = new AbortController();
  private readonly stopping = new AbortController();

  /** Aborts once a shutdown was asked for: every Consul call and retry of the loop stops on it. */
  get shutdownSignal(): AbortSignal {
    return this.stopping.signal;
  }

  /** Aborts when a request arrives; re-armed once taken (and never again after a shutdown). */
  get wakeSignal(): AbortSignal {
    return this.wake.signal;
  }

  get shuttingDown(): boolean {
    return this.shutdown !== 'none';
  }

  requestShutdown(): void {
    if (this.shutdown === 'none') this.shutdown = 'pending';
    this.stopping.abort();
    this.wake.abort();
  }

  requestStepDown(candidate?: string): void {
    this.stepDown = { candidate };
    this.wake.abort();
  }

  /**
   * The next request as an observation, each delivered once: a shutdown first; a step-down only to an
   * instance that holds the lock (`holding`), else it is dropped (nothing to step down from).
   */
  take(holding: boolean): Observation | null {
    if (this.wake.signal.aborted && this.shutdown === 'none') this.wake = new AbortController();
    if (this.shutdown === 'pending') {
      this.shutdown = 'delivered';
      return { type: 'shutdown' };
    }
    const stepDown = this.stepDown;
    this.stepDown = null;
    return stepDown && holding ? { type: 'step-down', ...(stepDown.candidate !== undefined ? { candidate: stepDown.candidate } : {}) } : null;
  }
}
