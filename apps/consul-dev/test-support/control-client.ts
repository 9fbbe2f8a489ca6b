// Typed client for the consul-dev control API (see apps/consul-dev/README.md), for tests that drive
// faults and inspect state, whether the double runs in-process or as a spawned process.
import type { FaultTimings } from '../src/cluster/fault-timings.js';

export type { FaultTimings } from '../src/cluster/fault-timings.js';

/** One agent as GET /state shows it. */
export interface AgentState {
  node: string;
  port: number;
  process: 'running' | 'killed' | 'left';
  partitioned: boolean;
  partitionedForMs: number | null;
  /** The agent knows a server (false after a restart or a long cut, until it rejoins). */
  hasServers: boolean;
  /** What the servers applied for the node. */
  serverView: 'alive' | 'failed' | 'left';
  detectionArmed: boolean;
  joining: boolean;
  /** A forwarded call is dialling a server now (P4's dial phase): callers arriving meanwhile wait for it. */
  dialling: boolean;
  listening: boolean;
  /** The catalog's serfHealth status (null when the node left). */
  serfHealth: string | null;
  agentChecks: Array<{ CheckID: string; Status: string; Output: string; ServiceID: string }>;
  catalogChecks: Array<{ CheckID: string; Status: string; Output: string; ServiceID: string; ModifyIndex: number }>;
  services: string[];
}

export interface ControlState {
  index: number;
  node: string;
  kvIndex: number;
  sessionsIndex: number;
  sessions: Array<{ ID: string; Name: string; Node: string; LockDelay: number; Behavior: string; TTL: string; CreateIndex: number }>;
  kv: Array<{ Key: string; LockIndex: number; Flags: string; Value: string | null; Session: string | null; CreateIndex: number; ModifyIndex: number }>;
  tombstones: Record<string, number>;
  /** Remaining lock-delay per key, in (possibly scaled) Consul milliseconds. */
  lockDelays: Record<string, number>;
  checks: Array<{ CheckID: string; Status: string; Output: string; ServiceID: string; Pinned: boolean; ModifyIndex: number }>;
  services: Array<{ ID: string; Service: string }>;
  blockedQueries: number;
  faults: { hang: boolean; latencyMs: number; noLeader: { holdMs: number } | null; heldRequests: number };
  listening: boolean;
  scheme: 'http' | 'https';
  catalogIndex: number;
  agents: AgentState[];
  quorumLost: boolean;
  quorumLostForMs: number | null;
  timings: FaultTimings;
  clientMode: boolean;
  /** Steps of a staggered recovery still to run, and the last step that failed. */
  recovery: { pending: Array<{ target: string; inMs: number }>; lastError: string | null };
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

export class ConsulDevControl {
  constructor(readonly baseUrl: string) {}

  static at(port: number, host = '127.0.0.1'): ConsulDevControl {
    return new ConsulDevControl(`http://${host}:${port}`);
  }

  private async call(method: string, path: string, body?: unknown): Promise<ControlState> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as ControlState & { error?: string };
    if (!response.ok) throw new Error(`consul-dev control ${method} ${path}: ${response.status} ${json.error ?? ''}`);
    return json;
  }

  state(): Promise<ControlState> {
    return this.call('GET', '/state');
  }
  /** Every API request waits (connection open, no answer) until releaseHang() or clearFaults(). */
  hang(): Promise<ControlState> {
    return this.call('POST', '/faults/hang');
  }
  releaseHang(): Promise<ControlState> {
    return this.call('DELETE', '/faults/hang');
  }
  /** Leader-served requests are held `holdMs` then answered 500 `No cluster leader` (?stale reads still work). */
  noLeader(holdMs = 0): Promise<ControlState> {
    return this.call('POST', '/faults/no-leader', { holdMs });
  }
  leaderBack(): Promise<ControlState> {
    return this.call('DELETE', '/faults/no-leader');
  }
  latency(ms: number): Promise<ControlState> {
    return this.call('POST', '/faults/latency', { ms });
  }
  clearFaults(): Promise<ControlState> {
    return this.call('DELETE', '/faults');
  }
  /** Forces a check's status (pinned by default: probes cannot override it until unpinCheck). */
  forceCheck(checkId: string, status: CheckStatus, options: { output?: string; pin?: boolean } = {}): Promise<ControlState> {
    return this.call('PUT', `/checks/${encodeURIComponent(checkId)}/status`, { status, ...options });
  }
  unpinCheck(checkId: string): Promise<ControlState> {
    return this.call('DELETE', `/checks/${encodeURIComponent(checkId)}/status`);
  }
  /** Like an operator destroy: keys released/deleted, lock-delay armed. */
  invalidateSession(id: string): Promise<ControlState> {
    return this.call('POST', `/sessions/${encodeURIComponent(id)}/invalidate`);
  }
  /** Snapshot-restore: state emptied, index set back to `index` (default 10), blocked queries return. */
  reset(index?: number): Promise<ControlState> {
    return this.call('POST', '/reset', index === undefined ? {} : { index });
  }
  /** Closes the API port (connection refused, open connections cut). */
  stopApi(): Promise<ControlState> {
    return this.call('POST', '/api/stop');
  }
  resumeApi(): Promise<ControlState> {
    return this.call('POST', '/api/resume');
  }
  /** The agent of `node` as GET /state shows it (throws when there is none). */
  async agent(node: string): Promise<AgentState> {
    const found = (await this.state()).agents.find((a) => a.node === node);
    if (found === undefined) throw new Error(`consul-dev has no agent ${node}`);
    return found;
  }
  /** Cuts the agent off from the servers (§12.2); `timings` override the delays for this cut. */
  partition(node: string, timings: Partial<FaultTimings> = {}): Promise<ControlState> {
    return this.call('POST', `/agents/${encodeURIComponent(node)}/partition`, timings);
  }
  /** Heals the cut (§12.4); `timings.rejoinMs` overrides the rejoin delay. */
  heal(node: string, timings: Partial<FaultTimings> = {}): Promise<ControlState> {
    return this.call('DELETE', `/agents/${encodeURIComponent(node)}/partition`, timings);
  }
  /** SIGKILL of the agent (P19): connection refused; the servers notice after `detectMs`. */
  kill(node: string, timings: Partial<FaultTimings> = {}): Promise<ControlState> {
    return this.call('POST', `/agents/${encodeURIComponent(node)}/kill`, timings);
  }
  /** Restarts a killed or departed agent (P21); it rejoins after `rejoinMs`. */
  restart(node: string, timings: Partial<FaultTimings> = {}): Promise<ControlState> {
    return this.call('POST', `/agents/${encodeURIComponent(node)}/restart`, timings);
  }
  /** Graceful leave (P20): node, checks and all its sessions gone at once; port closed. */
  leave(node: string): Promise<ControlState> {
    return this.call('POST', `/agents/${encodeURIComponent(node)}/leave`);
  }
  /** Every running agent killed at once: every API port refuses connections (a total Consul outage as the hosts see it). */
  killAll(timings: Partial<FaultTimings> = {}): Promise<ControlState> {
    return this.call('POST', '/agents/kill', timings);
  }
  /** Every running agent cut off from the servers at once. */
  partitionAll(timings: Partial<FaultTimings> = {}): Promise<ControlState> {
    return this.call('POST', '/agents/partition', timings);
  }
  /**
   * A staggered return: each target (`servers` = the quorum, or an agent's node: restarted or healed)
   * comes back `atMs` after this call; every target must be down now.
   */
  recover(steps: Array<{ atMs: number; target: string }>, timings: Partial<FaultTimings> = {}): Promise<ControlState> {
    return this.call('POST', '/recovery', { steps, ...timings });
  }
  /** The servers lose quorum (§12.6); `timings.rpcHoldMs` overrides the hold before `No cluster leader`. */
  loseQuorum(timings: Partial<FaultTimings> = {}): Promise<ControlState> {
    return this.call('POST', '/servers/quorum-loss', timings);
  }
  /** A new leader: TTLs re-armed at 2 × TTL, failed nodes reconciled, agents re-synced (P24). */
  restoreQuorum(): Promise<ControlState> {
    return this.call('DELETE', '/servers/quorum-loss');
  }
}
