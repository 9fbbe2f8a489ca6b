/**
 * What the full graph learns about the leadership it runs under (docs/architecture.md §2 rule 7). The host provides
 * it under HA_CONTEXT in every child it boots; with HA off it is a single never-ending term.
 */
export interface HaContext {
  readonly instanceId: string;
  /**
   * The lock's LockIndex for this holding: a label for logs and status, not a fencing token (it restarts
   * at 1 when Consul loses its state; the fencing token is `epoch`). 0 when HA is off.
   */
  readonly term: number;
  /** ISO timestamp of the moment this instance became leader for this term. */
  readonly since: string;
  /** Aborts when leadership ends (before the child is closed): background work stops on it. */
  readonly signal: AbortSignal;
  /**
   * The acting term's answer (docs/architecture.md, "The term"): false once leadership is over, while the
   * lease is not proven (also for a moment after this process was frozen: SIGSTOP, a paused VM) and
   * while a stopping leader quiesces. Check it right before acting on shared state.
   */
  readonly isLeading?: () => boolean;
  /**
   * The fencing epoch of this activation, obtained from the storage before the graph booted and greater
   * than every earlier activation's (docs/architecture.md § Fencing). 0 or absent with HA off or without
   * a fencing source. Writes carry it so the storage refuses a deposed leader's late writes.
   */
  readonly epoch?: number;
}

/** Injection token of the HaContext in the full graph: `@Inject(HA_CONTEXT) ctx: HaContext`. */
export const HA_CONTEXT = 'A4C_HA_CONTEXT';
