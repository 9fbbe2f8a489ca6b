import type { HaTimings } from '../config/ha-timings.js';
import type { HaContext } from '../ha-context.js';
import type { ElectionState } from './election-state.js';

/** The instance's own health (the same indicators Consul's check polls): rule 8 gates the race on it. */
export interface LocalHealthPort {
  check(): Promise<{ up: boolean; detail: string }>;
}

/** Boots and closes the full graph (host/full-graph-host.ts). */
export interface FullGraphPort {
  /** Resolves once the full graph has initialised; rejects when it cannot. */
  activate(context: HaContext): Promise<void>;
  /** Stops routing, drains (bounded) and closes the graph, including one still activating. Never throws. */
  deactivate(reason: string): Promise<void>;
}

/**
 * Asks another instance whether it acts as leader (its leader probe), for rule 10. `refused`: nothing
 * listens at its address; `not-acting`: it answered, as itself, that it does not act; `acting`: it does;
 * `unknown`: no usable answer (timeout, another instance at that address, TLS failure).
 */
export interface PeerProbePort {
  probe(peer: { id: string; url: string }, signal: AbortSignal): Promise<'acting' | 'not-acting' | 'refused' | 'unknown'>;
}

/** Who wants to know about transitions: logs, metrics, events. */
export interface ElectionListener {
  transition(from: ElectionState, to: ElectionState, reason: string): void;
  consulError(operation: string, detail: string): void;
}

export interface ElectorIdentity {
  instanceId: string;
  serviceName: string;
  leaderKey: string;
  address: string;
  port: number;
  /** Where users reach this instance: serverProtocol://instanceIp:port. */
  url: string;
  /** What Consul's HTTP check polls: serverProtocol://instanceCheckIp:port/rest/admin/health. */
  checkUrl: string;
}

/** The plugin's timings the elector uses: a subset of HaTimings, derived and checked in config/ha-timings.ts. */
export type ElectorTimings = Pick<
  HaTimings,
  | 'sessionTtlMs'
  | 'renewIntervalMs'
  | 'renewDeadlineMs'
  | 'renewRetryMs'
  | 'leaseMs'
  | 'proveIntervalMs'
  | 'proveRetryMs'
  | 'takeoverMarginMs'
  | 'handoverWindowMs'
  | 'blockingWaitMs'
  | 'retryDelayMs'
  | 'lockDelayMs'
  | 'healthCheckIntervalMs'
  | 'activationTimeoutMs'
  | 'stepDownHoldOffMs'
>;
