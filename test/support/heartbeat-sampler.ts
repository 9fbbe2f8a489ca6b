/**
 * Samples the orchestrator heartbeat document (`<prefix>orchestrator-heartbeats/local`, overwritten by
 * the leader's poller on every tick) straight from Elasticsearch, in write order (`_seq_no`).
 *
 * Each tick's write waits for a refresh (refresh=wait_for, about 1 s), so sampling every 50 ms sees
 * nearly every write. A write carrying an older term than one before it means a deposed leader did
 * background work after its successor had started: the fencing failure the term exists to expose.
 */
export interface HeartbeatWrite {
  readonly seqNo: number;
  readonly instanceId: string;
  readonly term: number;
  /** The writer's own timestamp of the tick. */
  readonly at: number;
  readonly seenAt: number;
}

export class HeartbeatSampler {
  private readonly writes: HeartbeatWrite[] = [];
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly esUrl: string,
    private readonly index: string,
    private readonly intervalMs = 50,
    /** Bounds the loop even if nobody calls stop(). */
    private readonly maxDurationMs = 240_000,
  ) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<this> {
    this.stopper.abort();
    await this.loop;
    return this;
  }

  get all(): readonly HeartbeatWrite[] {
    return this.writes;
  }

  /** Writes whose term is lower than that of an earlier write, with a description each. */
  staleWrites(): Array<HeartbeatWrite & { why: string }> {
    const sorted = [...this.writes].sort((a, b) => a.seqNo - b.seqNo);
    const stale: Array<HeartbeatWrite & { why: string }> = [];
    let highest = 0;
    for (const w of sorted) {
      if (w.term < highest) stale.push({ ...w, why: `${w.instanceId} wrote term ${w.term} (seq ${w.seqNo}, at ${new Date(w.at).toISOString()}) after term ${highest}` });
      highest = Math.max(highest, w.term);
    }
    return stale;
  }

  describe(origin: number): string {
    const byTerm = new Map<string, { n: number; first: number; last: number }>();
    for (const w of this.writes) {
      const key = `${w.instanceId}#${w.term}`;
      const entry = byTerm.get(key) ?? { n: 0, first: w.at, last: w.at };
      byTerm.set(key, { n: entry.n + 1, first: Math.min(entry.first, w.at), last: Math.max(entry.last, w.at) });
    }
    return [...byTerm].map(([key, e]) => `${key} x${e.n} [${e.first - origin}, ${e.last - origin}] ms`).join(', ') || 'none seen';
  }

  private async run(): Promise<void> {
    const deadline = Date.now() + this.maxDurationMs;
    let lastSeq = -1;
    while (!this.stopper.signal.aborted && Date.now() < deadline) {
      try {
        const response = await fetch(`${this.esUrl}/${this.index}/_doc/local`, { signal: AbortSignal.timeout(2_000) });
        const body = (await response.json()) as { found?: boolean; _seq_no?: number; _source?: { instanceId: string; term: number; at: string } };
        if (body.found && body._source && body._seq_no !== undefined && body._seq_no !== lastSeq) {
          lastSeq = body._seq_no;
          this.writes.push({ seqNo: body._seq_no, instanceId: body._source.instanceId, term: body._source.term, at: Date.parse(body._source.at), seenAt: Date.now() });
        }
      } catch {
        /* Elasticsearch down or red in this scenario: nothing to sample */
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}
