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

/** Who wants to know about transitions: logs, metrics, events. */
export interface ElectionListener {
  transition(from: ElectionState, to: ElectionState, reason: string): void;
  consulError(operation: string, detail: string): void;
  /** The lock was confirmed by a renew sent at `sentAt` (see StallGuard). */
  confirmed?(sentAt: number): void;
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

/** All in ms; derived and checked in config/ha-timings.ts. */
export interface ElectorTimings {
  sessionTtlMs: number;
  renewIntervalMs: number;
  renewDeadlineMs: number;
  /** Pause between renew attempts after a failed one, until the deadline. */
  renewRetryMs: number;
  blockingWaitMs: number;
  retryDelayMs: number;
  lockDelayMs: number;
  healthCheckIntervalMs: number;
  activationTimeoutMs: number;
  stepDownHoldOffMs: number;
}
