// Typed client for the consul-dev control API (see apps/consul-dev/README.md), for tests that drive
// faults and inspect state, whether the double runs in-process or as a spawned process.

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
}
