/**
 * Writes and reads applications through the proxy while a fault happens, and keeps what it needs to
 * check afterwards that nothing acknowledged was lost and how long users saw no success at all.
 *
 * The loop is bounded in requests and in time and ends by itself; every request has its own timeout
 * (a frozen leader must not freeze the generator). Only 127.0.0.1 is accepted.
 */
export interface LoadOptions {
  /** Base URL of the proxy: must be http://127.0.0.1:PORT. */
  url: string;
  /** Prefix of the application names: one per scenario, so reads never see another scenario's data. */
  namePrefix: string;
  maxRequests?: number;
  maxDurationMs?: number;
  /** Per-request timeout: longer than any healthy answer, short enough to measure a hang as a gap. */
  requestTimeoutMs?: number;
  /** Pause between two requests of one worker (pacing, not waiting for a condition): keeps the 2-core machine usable. */
  paceMs?: number;
  /**
   * Parallel loops. Writes use refresh=wait_for, so one takes up to Elasticsearch's 1 s refresh; reads
   * (realtime GET by id) take milliseconds, so the reader loops give the gap measure its resolution.
   */
  writers?: number;
  readers?: number;
}

export interface LoadSample {
  readonly kind: 'write' | 'read';
  readonly sentAt: number;
  readonly doneAt: number;
  /** HTTP status, or 0 for a network error / timeout. */
  readonly status: number;
}

export interface LoadReport {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly samples: readonly LoadSample[];
  /** Names whose POST answered 2xx: they must all be readable afterwards. */
  readonly acknowledged: readonly string[];
  /** Longest stretch without any 2xx answer, from the start of the run to its end (ms). */
  readonly longestGapMs: number;
  /** Where that stretch began and ended. */
  readonly longestGap: { from: number; to: number };
  readonly counts: Record<string, number>;
}

export class LoadGenerator {
  private readonly samples: LoadSample[] = [];
  private readonly acknowledged: string[] = [];
  private readonly stopper = new AbortController();
  private startedAt = 0;
  private loop: Promise<void> | undefined;
  private readonly options: Required<LoadOptions>;

  constructor(options: LoadOptions) {
    const url = new URL(options.url);
    if (url.hostname !== '127.0.0.1') throw new Error(`the load generator only talks to 127.0.0.1, not ${url.hostname}`);
    this.options = { maxRequests: 20_000, maxDurationMs: 180_000, requestTimeoutMs: 2_000, paceMs: 40, writers: 3, readers: 2, ...options };
  }

  start(): this {
    this.startedAt = Date.now();
    this.loop = this.run();
    return this;
  }

  /** Ends the loop (after the request in flight) and summarises the run. */
  async stop(): Promise<LoadReport> {
    this.stopper.abort();
    await this.loop;
    return summarise(this.startedAt, Date.now(), this.samples, this.acknowledged);
  }

  /** The number of 2xx answers so far (to wait until traffic flows again). */
  successesSince(at: number): number {
    return this.samples.filter((s) => s.doneAt >= at && s.status >= 200 && s.status < 300).length;
  }

  private async run(): Promise<void> {
    let count = 0;
    // one shared budget of requests for every loop: the whole run stays bounded in count
    const take = () => (count++ < this.options.maxRequests ? count : undefined);
    let written = 0;
    const writer = () => this.repeat(take, () => this.write(`${this.options.namePrefix}-${written++}`));
    const reader = () =>
      this.repeat(take, () => {
        const acked = this.acknowledged;
        return acked.length > 0 ? this.read(acked[Math.floor(Math.random() * acked.length)]!) : this.list();
      });
    await Promise.all([...Array.from({ length: this.options.writers }, writer), ...Array.from({ length: this.options.readers }, reader)]);
  }

  private async repeat(take: () => number | undefined, step: () => Promise<void>): Promise<void> {
    const deadline = this.startedAt + this.options.maxDurationMs;
    while (!this.stopper.signal.aborted && Date.now() < deadline && take() !== undefined) {
      await step();
      await new Promise((resolve) => setTimeout(resolve, this.options.paceMs));
    }
  }

  private async write(name: string): Promise<void> {
    const status = await this.request('write', '/rest/v1/applications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    if (status >= 200 && status < 300) this.acknowledged.push(name);
  }

  private async list(): Promise<void> {
    await this.request('read', '/rest/v1/applications', {});
  }

  private async read(name: string): Promise<void> {
    await this.request('read', `/rest/v1/applications/${encodeURIComponent(name.toLowerCase())}`, {});
  }

  private async request(kind: LoadSample['kind'], path: string, init: RequestInit): Promise<number> {
    const sentAt = Date.now();
    let status: number;
    try {
      const response = await fetch(`${this.options.url}${path}`, { ...init, signal: AbortSignal.timeout(this.options.requestTimeoutMs) });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 0; // refused, reset or timed out: the user saw no answer
    }
    this.samples.push({ kind, sentAt, doneAt: Date.now(), status });
    return status;
  }
}

export function summarise(startedAt: number, endedAt: number, samples: readonly LoadSample[], acknowledged: readonly string[]): LoadReport {
  const successes = samples.filter((s) => s.status >= 200 && s.status < 300).map((s) => s.doneAt).sort((a, b) => a - b);
  const marks = [startedAt, ...successes, endedAt];
  let longestGap = { from: startedAt, to: startedAt };
  for (let i = 1; i < marks.length; i++) {
    if (marks[i]! - marks[i - 1]! > longestGap.to - longestGap.from) longestGap = { from: marks[i - 1]!, to: marks[i]! };
  }
  const counts: Record<string, number> = {};
  for (const s of samples) {
    const key = `${s.kind} ${s.status === 0 ? 'no answer' : s.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return { startedAt, endedAt, samples, acknowledged, longestGapMs: longestGap.to - longestGap.from, longestGap, counts };
}

/**
 * Reads every acknowledged application back through the proxy; resolves with the names that are
 * missing (wrong status or wrong name). A few requests at a time: thousands must not flood the leader.
 */
export async function findLostWrites(url: string, names: readonly string[], concurrency = 8): Promise<string[]> {
  const lost: string[] = [];
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const id = encodeURIComponent(name.toLowerCase());
      const response = await fetch(`${url}/rest/v1/applications/${id}`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      const body = response?.ok ? ((await response.json()) as { name?: string }) : undefined;
      if (body?.name !== name) lost.push(`${name} (${response?.status ?? 'no answer'})`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return lost;
}

export interface OpenLoopOptions {
  /** Base URL of the proxy: must be http://127.0.0.1:PORT. */
  url: string;
  /** Prefix of the application names created by the POSTs. */
  namePrefix: string;
  getsPerSecond?: number;
  postsPerSecond?: number;
  /** Hard bound on the run; the loop ends by itself. */
  maxDurationMs?: number;
  /** Per-request timeout: above ha.forwardTimeoutInMillis, so a held request is not cut short. */
  requestTimeoutMs?: number;
}

export interface OpenLoopSample extends LoadSample {
  /** The application name a write created (writes only). */
  readonly name?: string;
  /** X-A4C-Served-By of the answer (whose full graph served it, or who answered 503), when present. */
  readonly servedBy?: string;
  /** The failure as the client saw it: the start of an error body, or the network error. */
  readonly error?: string;
}

/**
 * Open-loop load (requests are sent on a fixed schedule whether or not earlier ones have answered, as
 * users do): GETs of one application created earlier (the list while none is acknowledged yet) and
 * POSTs creating uniquely named applications. Bounded in time, only 127.0.0.1.
 *
 * The GETs read one application, not the whole list: after a few minutes at 2 POST/s the list is large
 * enough that a SIGKILLed leader often dies in the middle of streaming it, and no proxy can resend the
 * rest of a half-sent answer (docs/failure-modes.md, "Forwarding").
 */
export class OpenLoopLoad {
  readonly samples: OpenLoopSample[] = [];
  /** Names whose POST answered 2xx: what the GETs read. */
  private readonly acknowledged: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timers: NodeJS.Timeout[] = [];
  private written = 0;
  private readonly options: Required<OpenLoopOptions>;

  constructor(options: OpenLoopOptions) {
    if (new URL(options.url).hostname !== '127.0.0.1') throw new Error(`the load generator only talks to 127.0.0.1, not ${options.url}`);
    this.options = { getsPerSecond: 20, postsPerSecond: 2, maxDurationMs: 600_000, requestTimeoutMs: 30_000, ...options };
  }

  start(): this {
    const every = (perSecond: number, fire: () => Promise<void>) => {
      if (perSecond <= 0) return;
      const timer = setInterval(() => {
        const request = fire().finally(() => this.inFlight.delete(request));
        this.inFlight.add(request);
      }, 1000 / perSecond);
      this.timers.push(timer);
    };
    every(this.options.getsPerSecond, () => {
      const acked = this.acknowledged;
      const path = acked.length > 0 ? `/rest/v1/applications/${encodeURIComponent(acked[Math.floor(Math.random() * acked.length)]!.toLowerCase())}` : '/rest/v1/applications';
      return this.send('read', path, {});
    });
    every(this.options.postsPerSecond, () => {
      const name = `${this.options.namePrefix}-${this.written++}`;
      return this.send('write', '/rest/v1/applications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) }, name);
    });
    this.timers.push(setTimeout(() => this.halt(), this.options.maxDurationMs));
    return this;
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<OpenLoopSample[]> {
    this.halt();
    await Promise.all([...this.inFlight]);
    return this.samples;
  }

  private halt(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  private async send(kind: LoadSample['kind'], path: string, init: RequestInit, name?: string): Promise<void> {
    const sentAt = Date.now();
    let status: number;
    let servedBy: string | undefined;
    let error: string | undefined;
    try {
      const response = await fetch(`${this.options.url}${path}`, { ...init, signal: AbortSignal.timeout(this.options.requestTimeoutMs) });
      const body = await response.text();
      status = response.status;
      servedBy = response.headers.get('x-a4c-served-by') ?? undefined;
      if (status >= 400) error = body.slice(0, 300);
    } catch (failure) {
      status = 0;
      const cause = (failure as { cause?: { code?: string; message?: string } }).cause;
      error = cause?.code ?? cause?.message ?? (failure as Error).message;
    }
    this.samples.push({ kind, sentAt, doneAt: Date.now(), status, ...(name ? { name } : {}), ...(servedBy ? { servedBy } : {}), ...(error ? { error } : {}) });
    if (name && status >= 200 && status < 300) this.acknowledged.push(name);
  }
}
