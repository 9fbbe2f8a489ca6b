// The delays of the cluster faults (partition, agent loss, quorum loss), with the defaults of a real
// cluster at Consul's default settings (docs/consul-behaviour.md §12.1, P4-P7, P13, P15, P22). They are
// wall-clock milliseconds (network and gossip, not Consul timers: --time-scale does not touch them),
// set on the command line, programmatically, or per control call; tests use small values.

export interface FaultTimings {
  /** Cut or kill → the servers mark the node's serfHealth critical (P13: ≈5 s min, 6-8 s typical, ≈30 s max). */
  detectMs: number;
  /** Heal or restart → the node is alive again for the servers and re-synced (P15/P16: 0-35 s; refute is fast). */
  rejoinMs: number;
  /** A forwarded call needing a new connection fails after the RPC dial timeout (P4: 10 s). */
  dialTimeoutMs: number;
  /** Calls on the pooled connection hang until yamux keepalive declares it dead, then EOF (P4: 10-40 s after the cut). */
  keepaliveMs: number;
  /** The isolated agent drops every server: forwarded calls fail at once with `No known Consul servers` (P7: 25-60 s). */
  noServersMs: number;
  /** A blocking read already in flight at the cut fails this long after it, not at its `wait` (P6: ≈10-50 s). */
  inFlightFailMs: number;
  /** Without a leader, writes and default/consistent reads are held this long, then `No cluster leader` (§12.1 rpc_hold_timeout, P22: 7 s). */
  rpcHoldMs: number;
}

export const DEFAULT_FAULT_TIMINGS: Readonly<FaultTimings> = {
  detectMs: 6_000,
  rejoinMs: 2_000,
  dialTimeoutMs: 10_000,
  keepaliveMs: 25_000,
  noServersMs: 40_000,
  inFlightFailMs: 35_000,
  rpcHoldMs: 7_000,
};

export const TIMING_KEYS = Object.keys(DEFAULT_FAULT_TIMINGS) as Array<keyof FaultTimings>;

/** `detectMs` → `--detect-ms` (the CLI spelling of each timing). */
export function timingFlag(key: keyof FaultTimings): string {
  return `--${key.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}-ms`;
}

/**
 * Picks the timing overrides out of an object (CLI options, control body), each a number >= 0;
 * throws `make(message)` for the first bad one. Unknown keys are left alone.
 */
export function pickTimings<E extends Error>(source: Record<string, unknown>, make: (message: string) => E): Partial<FaultTimings> {
  const out: Partial<FaultTimings> = {};
  for (const key of TIMING_KEYS) {
    const value = source[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw make(`${key} must be a number of milliseconds >= 0`);
    out[key] = value;
  }
  return out;
}
