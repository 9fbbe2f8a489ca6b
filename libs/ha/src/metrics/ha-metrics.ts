import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ElectionState } from '../election/election-state.js';

/**
 * Prometheus metrics of DESIGN.md §3, on a registry of our own so several instances (tests) and the
 * host application's own metrics never collide.
 */
export class HaMetrics {
  readonly registry = new Registry();
  private readonly leader = new Gauge({ name: 'a4c_ha_leader', help: '1 while this instance serves as the active leader (full graph up)', registers: [this.registry] });
  private readonly term = new Gauge({ name: 'a4c_ha_term', help: 'LockIndex of the current or last term led by this instance', registers: [this.registry] });
  private readonly state = new Gauge({ name: 'a4c_ha_state', help: '1 for the current election state', labelNames: ['state'], registers: [this.registry] });
  private readonly transitions = new Counter({ name: 'a4c_ha_transitions_total', help: 'Election state changes', labelNames: ['from', 'to'], registers: [this.registry] });
  private readonly activation = new Histogram({
    name: 'a4c_ha_activation_seconds',
    help: 'Time to boot the full graph after winning the lock',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly consulErrors = new Counter({ name: 'a4c_ha_consul_errors_total', help: 'Failed Consul calls', labelNames: ['operation'], registers: [this.registry] });
  private activatingSince: number | null = null;

  constructor(now: () => number = Date.now) {
    this.now = now;
    for (const kind of ['backup', 'acquiring', 'activating', 'leader', 'deactivating', 'stopped']) this.state.set({ state: kind }, kind === 'backup' ? 1 : 0);
  }

  private readonly now: () => number;

  recordTransition(from: ElectionState, to: ElectionState): void {
    if (from.kind === to.kind) return;
    this.transitions.inc({ from: from.kind, to: to.kind });
    this.state.set({ state: from.kind }, 0);
    this.state.set({ state: to.kind }, 1);
    this.leader.set(to.kind === 'leader' ? 1 : 0);
    if ('term' in to) this.term.set(to.term);
    if (to.kind === 'activating') this.activatingSince = this.now();
    if (to.kind === 'leader' && this.activatingSince !== null) {
      this.activation.observe((this.now() - this.activatingSince) / 1000);
      this.activatingSince = null;
    }
  }

  recordConsulError(operation: string): void {
    this.consulErrors.inc({ operation });
  }

  /** With HA off the full graph runs at once: this instance is the leader for good. */
  markStandalone(): void {
    this.leader.set(1);
    this.state.set({ state: 'backup' }, 0);
    this.state.set({ state: 'leader' }, 1);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
