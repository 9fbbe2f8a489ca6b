import type { Clock } from '../clock/clock.port.js';
import { Backoff } from '../clock/backoff.js';
import { describeError } from '../consul/consul-errors.js';
import type { ConsulPort } from '../consul/consul.port.js';

/**
 * The end of a session (rule 4): release the key with the value that says the holder stopped cleanly
 * (rule 10 lets the next holder act at once on it), destroy the session. When Consul cannot be reached
 * (quorum lost, agent cut off), our old session would keep the key until its TTL, which a new server
 * leader restarts at 2 x TTL (docs/consul-behaviour.md, fact 23): the cleanup is then retried in the
 * background, whatever the loop does meanwhile, until it works or the instance shuts down.
 */
export class SessionCleanup {
  private leftover: { sessionId: string; value: string } | null = null;

  constructor(
    private readonly deps: {
      consul: ConsulPort;
      clock: Clock;
      leaderKey: string;
      /** Cap of the retry backoff. */
      retryCapMs: number;
      random?: () => number;
      /** Ends the background retries. */
      shutdown: AbortSignal;
      onError: (operation: string, detail: string) => void;
    },
  ) {}

  async release(sessionId: string, value: string): Promise<void> {
    await this.attempt('release', sessionId, value, () => this.deps.consul.release(this.deps.leaderKey, sessionId, value));
  }

  async destroy(sessionId: string, value: string): Promise<void> {
    await this.attempt('destroy-session', sessionId, value, () => this.deps.consul.destroySession(sessionId));
  }

  private async attempt(operation: string, sessionId: string, value: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.deps.onError(operation, describeError(error));
      if (this.leftover) return;
      this.leftover = { sessionId, value };
      void this.retryLeftover();
    }
  }

  private async retryLeftover(): Promise<void> {
    const { clock, shutdown } = this.deps;
    const backoff = new Backoff(500, this.deps.retryCapMs, this.deps.random);
    while (this.leftover && !shutdown.aborted) {
      await clock.sleep(backoff.next(), shutdown).catch(() => undefined);
      await this.cleanUpLeftover().catch(() => undefined);
    }
  }

  /** Releases and destroys the leftover session; throws while Consul is unreachable. */
  private async cleanUpLeftover(): Promise<void> {
    const leftover = this.leftover;
    if (!leftover) return;
    await this.deps.consul.release(this.deps.leaderKey, leftover.sessionId, leftover.value);
    await this.deps.consul.destroySession(leftover.sessionId);
    this.leftover = null;
  }
}
