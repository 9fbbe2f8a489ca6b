/** What an activation asks for its fencing epoch (HaModuleOptions.fencing). */
export interface EpochRequest {
  readonly instanceId: string;
  /** The lock's LockIndex of this activation (a label: it restarts at 1 when Consul loses its state). */
  readonly term: number;
}

/**
 * The source of fencing epochs, given by the application so that the plugin stays storage-agnostic:
 * typically the storage the full graph writes to, so that the storage can check the epoch it issued.
 * Every call must return a number greater than any it returned before, to any instance, across restarts
 * of the storage and of Consul (docs/architecture.md § Fencing). A rejection fails the activation: the
 * lock is released and another instance may try.
 */
export interface HaFencing {
  obtainEpoch(request: EpochRequest): Promise<number>;
}
