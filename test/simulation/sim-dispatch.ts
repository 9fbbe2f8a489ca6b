import type { ForwardTarget } from '../../libs/ha/src/forwarding/forward-attempt.js';
import type { HaLeaderView } from '../../libs/ha/src/forwarding/ha-leader-view.js';
import type { SimClock } from './sim-clock.js';
import type { SimGraph } from './sim-graph.js';

/** A user request as it travels: which document it writes, who forwarded it, until when it may wait (global ms). */
export interface SimRequest {
  readonly id: number;
  readonly doc: string;
  readonly forwardedBy?: string;
  readonly deadline: number;
}

/** written/refused: served by a full graph; not-processed: a refusal the sender may retry elsewhere. */
export type SimOutcome = 'written' | 'refused' | 'not-processed' | 'failed' | 'timed-out';

/** How often a held request looks again (doubling up to its cap; the real one also wakes on every change). */
const RECHECK_MS = [200, 800] as const;

/**
 * The dispatch and forwarding decisions of one process incarnation (docs/architecture.md §3, "anything
 * else"), read from the REAL leader view (`HaLeaderView`: mayAct, mayActSoon, holder, all over the one
 * term): served through the full graph while acting; otherwise held until an acting leader is known and
 * forwarded to it once; a forwarded request is never forwarded again and waits only while this instance
 * may act soon; a refusal that provably processed nothing ("not acting", connection refused) is retried
 * until the deadline. The HTTP plumbing of hold-and-forward is not simulated, its decisions are.
 */
export class SimDispatch {
  constructor(
    private readonly deps: {
      id: string;
      view: HaLeaderView;
      graph: SimGraph;
      clock: SimClock;
      now: () => number;
      forward: (target: ForwardTarget, request: SimRequest) => Promise<SimOutcome>;
    },
  ) {}

  async handle(request: SimRequest): Promise<SimOutcome> {
    const { view, graph, clock, now, id } = this.deps;
    let recheckMs: number = RECHECK_MS[0];
    for (;;) {
      if (view.mayAct()) {
        const served = await graph.serve(request.doc);
        if (served !== 'no-graph') return served;
      } else if (request.forwardedBy !== undefined) {
        if (!view.mayActSoon()) return 'not-processed';
      } else {
        const holder = view.holder();
        if (holder && holder.id !== id) {
          const outcome = await this.deps.forward(holder, { ...request, forwardedBy: id });
          if (outcome !== 'not-processed') return outcome;
          recheckMs = Math.min(recheckMs * 2, RECHECK_MS[1]);
        }
      }
      if (now() >= request.deadline) return request.forwardedBy === undefined ? 'timed-out' : 'not-processed';
      await clock.sleep(recheckMs);
    }
  }
}
