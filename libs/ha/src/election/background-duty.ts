/**
 * One of the background duties while the lock is held (lease keeper, key watch, health watch, takeover probe): a loop that
 * starts once and ends for good when stopped, posting what it sees into the holding's channel (holding-duties.ts).
 */
export abstract class BackgroundDuty {
  protected readonly stopper = new AbortController();

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopper.abort();
  }

  protected abstract loop(): Promise<void>;
}
