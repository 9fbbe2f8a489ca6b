import type { HaContext } from '../ha-context.js';
import { FencedWriteError } from './fenced-write.error.js';

/**
 * The one guard for side effects of the full graph (docs/architecture.md § Fencing): `run()` refuses an
 * effect once this instance stopped acting (`isLeading()` false or the term's signal aborted) and hands
 * the effect the epoch to carry, so that the system it writes to can refuse it too when a newer leader
 * got there first. Injectable in the full graph (`constructor(private readonly fence: Fence)`).
 *
 * Unarmed (HA off, or a context without `isLeading`): never refuses, epoch 0.
 */
export class Fence {
  constructor(private readonly context?: HaContext) {}

  /** The fencing epoch of this activation; 0 without HA or without a fencing source. */
  get epoch(): number {
    return this.context?.epoch ?? 0;
  }

  /** Whether the fence checks leadership at all (HA on). */
  get armed(): boolean {
    return this.context?.isLeading !== undefined;
  }

  /** True while effects may go out: always when unarmed. */
  mayAct(): boolean {
    const context = this.context;
    if (!context?.isLeading) return true;
    return !context.signal.aborted && context.isLeading();
  }

  /** Throws FencedWriteError('not-leading') when this instance must not act any more. */
  check(what: string): void {
    if (!this.mayAct()) throw new FencedWriteError('not-leading', what, this.epoch);
  }

  /** Checks, then runs `effect` with the epoch; the check is the last thing before the effect starts. */
  async run<T>(what: string, effect: (epoch: number) => Promise<T> | T): Promise<T> {
    this.check(what);
    return effect(this.epoch);
  }
}
