import { Logger } from '@nestjs/common';
import { HA_ELECTED, HA_REVOKED, type HaEvents } from '../ha-events.js';
import type { HaMetrics } from '../metrics/ha-metrics.js';
import { sessionOf, termOf, type ElectionState } from './election-state.js';
import type { ElectionListener } from './ports.js';

/**
 * Tells the world about the election: one structured log line per change, the metrics, the
 * `ha.elected`/`ha.revoked` events, and the readers that follow the known leader (forwarding).
 */
export class ElectionReporter implements ElectionListener {
  private readonly logger = new Logger('HA');
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly deps: {
      instanceId: string;
      metrics: HaMetrics;
      events: HaEvents;
      /** The fencing epoch of the running full graph (0 when none), for the log line. */
      epoch: () => number;
    },
  ) {}

  /** Called after every transition (and so every change of the known leader); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  transition(from: ElectionState, to: ElectionState, reason: string): void {
    const { instanceId, metrics, events } = this.deps;
    // one structured line per change (docs/architecture.md, convention 8): Nest's ConsoleLogger prints
    // the fields after the message in text, and as top-level keys in json mode with flattenParams
    this.logger.log(from.kind === to.kind ? `${to.kind}: ${reason}` : `${from.kind} -> ${to.kind}: ${reason}`, {
      instanceId,
      sessionId: sessionOf(to) ?? sessionOf(from) ?? null,
      term: termOf(to) || termOf(from),
      epoch: this.deps.epoch(),
      reason,
    });
    metrics.recordTransition(from, to, reason);
    for (const listener of [...this.listeners]) listener();
    if (to.kind === 'leader' && from.kind !== 'leader') events.emit(HA_ELECTED, { instanceId, term: to.term, reason });
    if (to.kind === 'deactivating') events.emit(HA_REVOKED, { instanceId, term: to.term, reason });
  }

  /** Nothing to do: the instrumented Consul port counts every failed call, with the duration histogram's operation labels. */
  consulError(): void {}
}
