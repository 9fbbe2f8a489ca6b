import { instanceOfServer, SERVED_BY } from './tagged-haproxy.js';

/** One user request: when it left, when it ended, its status (0 = no HTTP answer) and who answered. */
export interface RequestSample {
  sentAtMs: number;
  doneAtMs: number;
  status: number;
  server: string | null;
  /** Why a request got no answer (status 0): the client's error, with its cause. */
  error?: string;
}

export interface TrafficOptions {
  /** Base URL of the proxy (or a resolver returning the URL to hit, for the demo without HAProxy). */
  target: string | (() => string | undefined);
  path?: string;
  /** A new request starts every intervalMs whatever the others do (open loop): the time resolution. */
  intervalMs?: number;
  /** Bound on requests in flight (the proxy queues requests while no server is up). */
  maxInFlight?: number;
  timeoutMs?: number;
  /** Samples older than this are dropped: memory stays bounded over a long run. */
  keepMs?: number;
}

/**
 * Synthetic users calling `GET /rest/v1/applications` through the proxy at a fixed rate, recording every
 * answer. Open loop on purpose: HAProxy holds a request that hit the dead leader for its 1 s retry
 * turn-around, and a closed loop (one request at a time) would wait behind it and report that second
 * instead of the moment the new leader starts answering.
 */
export class Traffic {
  /** In completion order, so doneAtMs never decreases: scans walk back from the end and stop early. */
  private samples: RequestSample[] = [];
  private okTotal = 0;
  private failedTotal = 0;
  private inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly options: Required<Omit<TrafficOptions, 'target'>> & Pick<TrafficOptions, 'target'>;

  constructor(options: TrafficOptions) {
    this.options = { path: '/rest/v1/applications', intervalMs: 20, maxInFlight: 200, timeoutMs: 5_000, keepMs: 120_000, ...options };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  /** Samples whose request was sent at or after `sinceMs`, in completion order. */
  since(sinceMs: number): RequestSample[] {
    const out: RequestSample[] = [];
    // a request sent at or after sinceMs also ended after it: older completions cannot qualify
    for (let n = this.samples.length - 1; n >= 0 && this.samples[n]!.doneAtMs >= sinceMs; n--) {
      if (this.samples[n]!.sentAtMs >= sinceMs) out.push(this.samples[n]!);
    }
    return out.reverse();
  }

  /** Answers since start(), 2xx and not (the samples themselves are kept for `keepMs` only). */
  totals(): { ok: number; failed: number } {
    return { ok: this.okTotal, failed: this.failedTotal };
  }

  /**
   * The earliest-answered 2xx among requests sent at or after `sinceMs` and answered by someone other
   * than `notFrom` (requests are in flight together, so the first one sent is not always the first served).
   */
  firstSuccess(sinceMs: number, notFrom?: string): RequestSample | undefined {
    let first: RequestSample | undefined;
    for (const s of this.since(sinceMs)) {
      if (s.sentAtMs < sinceMs || s.status < 200 || s.status >= 300 || (notFrom !== undefined && instanceOfServer(s.server) === notFrom)) continue;
      if (!first || s.doneAtMs < first.doneAtMs) first = s;
    }
    return first;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const url = typeof this.options.target === 'function' ? this.options.target() : this.options.target;
      if (url !== undefined && this.inFlight.size < this.options.maxInFlight) {
        const request: Promise<void> = this.once(url).then((sample) => {
          this.record(sample);
          this.inFlight.delete(request);
        });
        this.inFlight.add(request);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async once(base: string): Promise<RequestSample> {
    const sentAtMs = Date.now();
    try {
      const response = await fetch(`${base}${this.options.path}`, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      await response.arrayBuffer();
      return { sentAtMs, doneAtMs: Date.now(), status: response.status, server: response.headers.get(SERVED_BY) };
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      return { sentAtMs, doneAtMs: Date.now(), status: 0, server: null, error: `${(error as Error).message}${cause ? `: ${cause.code ?? ''} ${cause.message ?? ''}` : ''}` };
    }
  }

  private record(sample: RequestSample): void {
    this.samples.push(sample);
    if (sample.status >= 200 && sample.status < 300) this.okTotal += 1;
    else this.failedTotal += 1;
    const horizon = sample.doneAtMs - this.options.keepMs;
    if (this.samples.length > 1_000 && this.samples[0]!.doneAtMs < horizon) this.samples = this.samples.filter((s) => s.doneAtMs >= horizon);
  }
}
