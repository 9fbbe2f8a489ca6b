/**
 * The one retry policy (docs/architecture.md §7, convention 6): capped exponential backoff with full jitter in the upper
 * half, so instances that failed together do not retry in lockstep against a recovering Consul.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next attempt; grows with each call until reset(). */
  next(): number {
    const exponential = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(exponential / 2 + (this.random() * exponential) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
