import type { StoredDocument } from '../storage/document-store.js';

/**
 * What a poller tick writes, one document per orchestrator (id = orchestrator name), overwritten each
 * tick: the last writer's instance and term say who was running the orchestrator and under which lease.
 */
export interface OrchestratorHeartbeat extends StoredDocument {
  readonly instanceId: string;
  readonly orchestrator: string;
  /** ISO timestamp of the tick. */
  readonly at: string;
  /** The HA term (Consul's LockIndex: a label, it restarts at 1 when Consul loses its state); 0 without HA. */
  readonly term: number;
  /** The fencing epoch the heartbeat was written at (docs/architecture.md § Fencing); absent without fencing. */
  readonly epoch?: number;
}

export const HEARTBEATS_COLLECTION = 'orchestrator-heartbeats';
