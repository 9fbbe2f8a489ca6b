import type { A4cInstance } from './a4c-cluster.js';

/** One instance's answer in a sampling round: the leader probe's status (0 = no answer), sent and received when. */
export interface ProbeAnswer {
  readonly port: number;
  readonly status: number;
  readonly sentAt: number;
  readonly receivedAt: number;
}

export interface ProbeRound {
  readonly at: number;
  readonly answers: readonly ProbeAnswer[];
}

/**
 * Asks every live instance's leader probe (`GET /rest/admin/ha/leader`: 200 only while acting,
 * docs/architecture.md rule 9) in parallel, one round every `intervalMs`. Two 200s in one round mean two
 * instances acted at about the same time: the outside view of "one leader at a time", independent of the
 * log lines. A frozen instance (SIGSTOP sent, no SIGCONT yet) is skipped: it would only stall the round.
 *
 * Sampling jitter: the requests of a round are sent together but each process reads its own a few ms
 * apart on a busy machine, so a predecessor that stops acting and a successor that starts within those
 * few ms could both say 200 in one round without acting together. The takeover rules make that window
 * wide (a successor waits for its predecessor's "not acting" answer, refused connection or lease), so the
 * e2e scenarios demand no double at all; `doubles()` lists them with their send and receive times.
 */
export class LeaderProbeSampler {
  private readonly rounds: ProbeRound[] = [];
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly instances: () => readonly A4cInstance[],
    private readonly intervalMs = 50,
    /** Bounds the loop even if nobody calls stop(). */
    private readonly maxDurationMs = 240_000,
  ) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<readonly ProbeRound[]> {
    this.stopper.abort();
    await this.loop;
    return this.rounds;
  }

  get all(): readonly ProbeRound[] {
    return this.rounds;
  }

  /** Rounds in which more than one instance answered 200. */
  doubles(): ProbeRound[] {
    return this.rounds.filter((r) => r.answers.filter((a) => a.status === 200).length > 1);
  }

  /** The first round at or after `since` with exactly one 200 from an instance other than `notPort`: when a single new leader acts. */
  firstSingleLeader(since: number, notPort?: number): { at: number; port: number } | undefined {
    for (const round of this.rounds) {
      if (round.at < since) continue;
      const acting = round.answers.filter((a) => a.status === 200);
      if (acting.length === 1 && acting[0]!.port !== notPort) return { at: acting[0]!.receivedAt, port: acting[0]!.port };
    }
    return undefined;
  }

  /** The last 200 of `port` before `before` (when it was last seen acting). */
  lastActing(port: number, before = Infinity): number | undefined {
    let last: number | undefined;
    for (const round of this.rounds) {
      for (const a of round.answers) if (a.port === port && a.status === 200 && a.receivedAt < before) last = a.receivedAt;
    }
    return last;
  }

  describe(origin: number): string {
    // runs of the same acting set, e.g. ":4001 [0, 5210) · none [5210, 6300) · :4002 [6300, 9000)"
    const runs: Array<{ who: string; from: number; to: number }> = [];
    for (const round of this.rounds) {
      const who = round.answers.filter((a) => a.status === 200).map((a) => `:${a.port}`).join('+') || 'none';
      const last = runs.at(-1);
      if (last && last.who === who) last.to = round.at;
      else runs.push({ who, from: round.at, to: round.at });
    }
    return `${this.rounds.length} rounds: ${runs.map((r) => `${r.who} [${r.from - origin}, ${r.to - origin}]`).join(' · ')}`;
  }

  private async run(): Promise<void> {
    const deadline = Date.now() + this.maxDurationMs;
    while (!this.stopper.signal.aborted && Date.now() < deadline) {
      const at = Date.now();
      const targets = this.instances().filter((i) => !i.process.hasExited && i.signals.at(-1)?.signal !== 'SIGSTOP');
      const answers = await Promise.all(targets.map((i) => ask(i)));
      this.rounds.push({ at, answers });
      const wait = Math.max(0, at + this.intervalMs - Date.now());
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function ask(instance: A4cInstance): Promise<ProbeAnswer> {
  const sentAt = Date.now();
  const status = await fetch(`${instance.url}/rest/admin/ha/leader`, { signal: AbortSignal.timeout(1_000) }).then(
    async (r) => {
      await r.arrayBuffer();
      return r.status;
    },
    () => 0,
  );
  return { port: instance.port, status, sentAt, receivedAt: Date.now() };
}
