// One client agent of the simulated cluster: its API port, its process state (running, killed, left),
// its network link to the servers (connected or cut), and what the servers think of its node (alive,
// failed, left). It decides how a forwarded call fails while the link is down (§12 P4, P7) and tells
// in-flight blocking reads when the link changes (P6).
import type { ApiListener } from '../api-listener.js';
import { SERF_CHECK_ID } from '../state/session-request.js';
import type { NodeState } from '../state/consul-state.js';
import type { FaultTimings } from './fault-timings.js';

export type AgentProcess = 'running' | 'killed' | 'left';
export type ServerView = 'alive' | 'failed' | 'left';

/** P4's texts: the servers are at 10.0.0.5:8300 in this simulated cluster. */
export const SERVER_ADDRESS = '10.0.0.5:8300';
export const RPC_EOF = 'rpc error making call: EOF';
export const RPC_DIAL_TIMEOUT = `rpc error getting client: failed to get conn: dial tcp <nil>->${SERVER_ADDRESS}: i/o timeout`;
export const NO_KNOWN_SERVERS = 'No known Consul servers';
/** P4: a caller that found another caller already dialling waits for that dial and fails with it, in these words. */
export const RPC_LEAD_THREAD = 'rpc error getting client: failed to get conn: rpc error: lead thread didn\'t get connection';

/** How a forwarded call fails now: after `holdMs` (unless the link comes back first) with `text`. */
export interface ForwardFailure {
  holdMs: number;
  text: string;
}

export interface Partition {
  since: number;
  timings: FaultTimings;
}

export class Agent {
  process: AgentProcess = 'running';
  partition: Partition | null = null;
  /** The agent knows a server to talk to (false after a restart, or a cut long enough to drop them all, until it rejoins). */
  hasServers = true;
  /** What the servers have applied for this node. */
  serverView: ServerView = 'alive';
  /** What the servers will apply once they have a leader (set by detection, rejoin and leave). */
  wantedView: ServerView = 'alive';
  /** When the dial in progress (P4's dial phase) gives up; null when no call is dialling. */
  private dialEndsAt: number | null = null;
  private detectTimer?: NodeJS.Timeout;
  private joinTimer?: NodeJS.Timeout;
  private readonly watchers = new Set<() => void>();

  /** Attached by the server right after construction (its handler needs the agent). */
  listener!: ApiListener;

  constructor(readonly state: NodeState) {}

  get node(): string {
    return this.state.node;
  }

  get port(): number {
    return this.listener.boundPort;
  }

  /** The agent can reach the servers right now. */
  get connected(): boolean {
    return this.process === 'running' && this.partition === null && this.hasServers;
  }

  /** Null when forwarded calls go through; otherwise how they fail (P4 phases, P7). */
  forwardFailure(now = Date.now()): ForwardFailure | null {
    if (this.partition !== null) {
      const { since, timings } = this.partition;
      const elapsed = now - since;
      if (elapsed < timings.keepaliveMs) return { holdMs: timings.keepaliveMs - elapsed, text: RPC_EOF };
      if (elapsed < timings.noServersMs) return { holdMs: timings.dialTimeoutMs, text: RPC_DIAL_TIMEOUT };
      return { holdMs: 0, text: NO_KNOWN_SERVERS };
    }
    return this.hasServers ? null : { holdMs: 0, text: NO_KNOWN_SERVERS };
  }

  /**
   * Starts a forwarded call: how it fails now, like forwardFailure(), except in the dial phase, where
   * the connection pool lets one caller dial and makes the others wait for that dial: the first gets
   * the dial timeout after `dialTimeoutMs`, every caller arriving meanwhile fails at the same moment
   * with the lead-thread text (P4).
   */
  beginForward(now = Date.now()): ForwardFailure | null {
    const failure = this.forwardFailure(now);
    if (failure === null || failure.text !== RPC_DIAL_TIMEOUT) return failure;
    if (this.dialEndsAt !== null && now < this.dialEndsAt) return { holdMs: this.dialEndsAt - now, text: RPC_LEAD_THREAD };
    this.dialEndsAt = now + failure.holdMs;
    return failure;
  }

  /** Runs `fn` on every link or process change until the returned function is called. */
  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  changed(): void {
    this.dialEndsAt = null;
    for (const fn of [...this.watchers]) fn();
  }

  /** Arms the servers' failure detection unless already armed or already failed. */
  armDetection(ms: number, onDetected: () => void): void {
    if (this.detectTimer !== undefined || this.serverView !== 'alive') return;
    this.detectTimer = setTimeout(() => {
      this.detectTimer = undefined;
      onDetected();
    }, ms);
    this.detectTimer.unref();
  }

  cancelDetection(): void {
    clearTimeout(this.detectTimer);
    this.detectTimer = undefined;
  }

  get detectionArmed(): boolean {
    return this.detectTimer !== undefined;
  }

  armJoin(ms: number, onJoined: () => void): void {
    this.cancelJoin();
    this.joinTimer = setTimeout(() => {
      this.joinTimer = undefined;
      onJoined();
    }, ms);
    this.joinTimer.unref();
  }

  cancelJoin(): void {
    clearTimeout(this.joinTimer);
    this.joinTimer = undefined;
  }

  get joining(): boolean {
    return this.joinTimer !== undefined;
  }

  close(): void {
    this.cancelDetection();
    this.cancelJoin();
    this.watchers.clear();
  }

  snapshot() {
    const registry = this.state.registry;
    return {
      node: this.node,
      port: this.port,
      process: this.process,
      partitioned: this.partition !== null,
      partitionedForMs: this.partition ? Date.now() - this.partition.since : null,
      hasServers: this.hasServers,
      serverView: this.serverView,
      detectionArmed: this.detectionArmed,
      joining: this.joining,
      dialling: this.dialEndsAt !== null && Date.now() < this.dialEndsAt,
      listening: this.listener.listening,
      serfHealth: registry.checkStatus(this.node, SERF_CHECK_ID) ?? null,
      agentChecks: registry.agentChecks().map((c) => ({ CheckID: c.CheckID, Status: c.Status, Output: c.Output, ServiceID: c.ServiceID })),
      catalogChecks: registry.catalogChecks().map((c) => ({ CheckID: c.CheckID, Status: c.Status, Output: c.Output, ServiceID: c.ServiceID, ModifyIndex: c.ModifyIndex })),
      services: registry.allServices().map((s) => s.ID),
    };
  }
}
