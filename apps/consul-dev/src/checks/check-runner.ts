// Runs the agent's checks for real: HTTP checks on their interval (first probe after a random delay in
// [0, Interval), then Interval after each probe ends, 1 s minimum), TTL checks that turn critical with
// `TTL expired`, and Consul's StatusHandler thresholds (§6.2).
import type { Clock, TimerHandle } from '../clock.js';
import { SECOND_NS, nsToMs } from '../go-duration.js';
import type { CheckSpec } from './check-definition.js';
import { probeHttp } from './http-probe.js';

/** MinInterval: shorter intervals are raised to this. */
const MIN_INTERVAL_NS = SECOND_NS;
/** Consul's default HTTP check timeout. */
const DEFAULT_TIMEOUT_NS = 10n * SECOND_NS;

export type StatusSink = (checkId: string, status: string, output: string) => void;

interface Running {
  stop(): void;
}

/**
 * StatusHandler: counters start at their thresholds so the first result applies at once; then
 * SuccessBeforePassing / FailuresBeforeWarning / FailuresBeforeCritical consecutive results are needed.
 */
export class StatusHandler {
  private successes: number;
  private failures: number;

  constructor(private readonly spec: CheckSpec, private readonly sink: (status: string, output: string) => void) {
    this.successes = spec.successBeforePassing;
    this.failures = spec.failuresBeforeCritical;
  }

  update(status: string, output: string): void {
    if (status === 'passing' || status === 'warning') {
      this.successes++;
      this.failures = 0;
      if (this.successes >= this.spec.successBeforePassing) this.sink(status, output);
      return;
    }
    this.failures++;
    this.successes = 0;
    if (this.failures >= this.spec.failuresBeforeCritical) this.sink(status, output);
    else if (this.failures >= this.spec.failuresBeforeWarning) this.sink('warning', output);
  }
}

export class CheckRunner {
  private readonly running = new Map<string, Running>();
  private readonly ttlTimers = new Map<string, { ms: number; timer?: TimerHandle }>();

  constructor(
    private readonly clock: Clock,
    private readonly sink: StatusSink,
    private readonly ca?: Buffer,
    private readonly random: () => number = Math.random,
  ) {}

  start(checkId: string, spec: CheckSpec): void {
    this.stop(checkId);
    if (spec.http !== '') this.running.set(checkId, this.startHttp(checkId, spec));
    else if (spec.ttlNs > 0n) this.startTtl(checkId, nsToMs(spec.ttlNs));
  }

  stop(checkId: string): void {
    this.running.get(checkId)?.stop();
    this.running.delete(checkId);
    this.ttlTimers.get(checkId)?.timer?.cancel();
    this.ttlTimers.delete(checkId);
  }

  stopAll(): void {
    for (const id of [...this.running.keys(), ...this.ttlTimers.keys()]) this.stop(id);
  }

  /** A TTL check was updated through the API: its deadline starts again. */
  touchTtl(checkId: string): void {
    const entry = this.ttlTimers.get(checkId);
    if (entry) this.startTtl(checkId, entry.ms);
  }

  private startTtl(checkId: string, ms: number): void {
    this.ttlTimers.get(checkId)?.timer?.cancel();
    const timer = this.clock.setTimer(() => this.sink(checkId, 'critical', 'TTL expired'), ms);
    this.ttlTimers.set(checkId, { ms, timer });
  }

  private startHttp(checkId: string, spec: CheckSpec): Running {
    const intervalMs = nsToMs(spec.intervalNs < MIN_INTERVAL_NS ? MIN_INTERVAL_NS : spec.intervalNs);
    const timeoutMs = nsToMs(spec.timeoutNs > 0n ? spec.timeoutNs : DEFAULT_TIMEOUT_NS);
    const handler = new StatusHandler(spec, (status, output) => this.sink(checkId, status, output));
    const stopped = new AbortController();
    let timer: TimerHandle | undefined;
    const probeOnce = async () => {
      const controller = new AbortController();
      const onStop = () => controller.abort();
      stopped.signal.addEventListener('abort', onStop, { once: true });
      const deadline = this.clock.setTimer(() => controller.abort(), timeoutMs);
      const result = await probeHttp(spec, { signal: controller.signal, ca: this.ca });
      deadline.cancel();
      stopped.signal.removeEventListener('abort', onStop);
      if (stopped.signal.aborted) return;
      handler.update(result.status, result.output);
      timer = this.clock.setTimer(() => void probeOnce(), intervalMs);
    };
    timer = this.clock.setTimer(() => void probeOnce(), this.random() * intervalMs);
    return {
      stop() {
        stopped.abort();
        timer?.cancel();
      },
    };
  }
}
