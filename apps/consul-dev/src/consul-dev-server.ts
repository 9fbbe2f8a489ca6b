// Programmatic entry point: starts one double in this process: one API port per agent (each agent its
// own node) in front of one shared server state, plus the control port. Used by main.ts and by
// in-process integration tests.
import type { Server } from 'node:http';
import { ApiListener, type TlsMaterial } from './api-listener.js';
import { Agent } from './cluster/agent.js';
import { Cluster } from './cluster/cluster.js';
import { DEFAULT_FAULT_TIMINGS, type FaultTimings } from './cluster/fault-timings.js';
import { type Clock, scaledClock } from './clock.js';
import { FaultState } from './control/fault-state.js';
import { createControlServer } from './control/control-server.js';
import { parsePolicyHcl } from './acl/policy-hcl.js';
import { Acl, AclConfigError, type AclOptions, type DefaultPolicy } from './http/acl.js';
import { createApiHandler } from './http/api-handler.js';
import { ConsulState } from './state/consul-state.js';

/** An agent of a multi-agent double: its node name and, optionally, its API port. */
export interface AgentOption {
  node: string;
  /** 0 (default) lets the OS choose; the first agent defaults to `port`. */
  port?: number;
}

export interface ConsulDevOptions {
  /** API port of the (first) agent; 0 (default) lets the OS choose. */
  port?: number;
  /** Control port; 0 (default) lets the OS choose. */
  controlPort?: number;
  /** Address every port binds to (default 127.0.0.1: a dev double is never exposed). */
  host?: string;
  /** The single agent's node name (default `consul-dev`); ignored when `agents` is given. */
  node?: string;
  /**
   * Several client agents, one node each, sharing the servers' state (docs/consul-behaviour.md fact 21).
   * Absent: one agent that is also the (dev) server, as before.
   */
  agents?: Array<string | AgentOption>;
  /** Delays of the cluster faults (partition, agent loss, quorum loss); §12.1 defaults. */
  timings?: Partial<FaultTimings>;
  /**
   * ACL mode when non-empty: a plain secret is legacy (the first management, the others read-only);
   * `{ secret, policies }` binds a token to named policies (`anonymous` binds the anonymous token).
   */
  aclTokens?: AclOptions['tokens'];
  /** ACL policies by name, as HCL rules (docs/consul-behaviour.md §13). */
  aclPolicies?: Record<string, string>;
  /** What a name without a matching rule gets (default `deny`, as deploy/consul sets it). */
  aclDefaultPolicy?: DefaultPolicy;
  /** HTTPS instead of HTTP on the API ports. */
  tls?: TlsMaterial;
  /**
   * Test knob: Consul time runs this many times faster than wall time (TTL, lock-delay, waits, check
   * intervals/timeouts). Default 1 = exact. Ignored when `clock` is given.
   */
  timeScale?: number;
  clock?: Clock;
  /** Randomness for jitter and first-probe delays (tests may pin it). */
  random?: () => number;
}

export interface ConsulDevServer {
  /** The first agent's API port and node. */
  readonly port: number;
  readonly node: string;
  readonly controlPort: number;
  readonly scheme: 'http' | 'https';
  /** Every agent, first one first. */
  readonly agents: ReadonlyArray<{ node: string; port: number }>;
  readonly state: ConsulState;
  readonly faults: FaultState;
  readonly cluster: Cluster;
  /** The first agent's API port. */
  readonly api: ApiListener;
  close(): Promise<void>;
}

export const DEFAULT_NODE = 'consul-dev';

function listenControl(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function agentOptions(options: ConsulDevOptions): AgentOption[] {
  const given = (options.agents ?? []).map((a) => (typeof a === 'string' ? { node: a } : a));
  const list = given.length > 0 ? given : [{ node: options.node ?? DEFAULT_NODE }];
  const names = new Set<string>();
  for (const a of list) {
    if (a.node.trim() === '') throw new Error('agent node names must not be empty');
    if (names.has(a.node)) throw new Error(`agent node ${JSON.stringify(a.node)} given twice`);
    names.add(a.node);
  }
  return list.map((a, i) => ({ node: a.node, port: a.port ?? (i === 0 ? (options.port ?? 0) : 0) }));
}

/** Parses the policies (an error names the policy and the line) and binds the tokens to them. */
function createAcl(options: ConsulDevOptions): Acl {
  const policies = new Map(Object.entries(options.aclPolicies ?? {}).map(([name, hcl]) => {
    try {
      return [name, parsePolicyHcl(hcl)] as const;
    } catch (error) {
      throw new AclConfigError(`policy ${JSON.stringify(name)}: ${(error as Error).message}`);
    }
  }));
  return new Acl({ tokens: options.aclTokens, policies, defaultPolicy: options.aclDefaultPolicy });
}

export async function startConsulDev(options: ConsulDevOptions = {}): Promise<ConsulDevServer> {
  const host = options.host ?? '127.0.0.1';
  const wanted = agentOptions(options);
  const clock = options.clock ?? scaledClock(options.timeScale ?? 1);
  const ca = options.tls ? Buffer.from(options.tls.ca) : undefined;
  const state = new ConsulState({ node: wanted[0].node, nodes: wanted.map((a) => a.node), clock, ca, random: options.random });
  const faults = new FaultState();
  const acl = createAcl(options);
  const agents = wanted.map((a) => new Agent(state.nodes.get(a.node)!));
  const cluster = new Cluster(state, agents, { ...DEFAULT_FAULT_TIMINGS, ...options.timings }, (options.agents ?? []).length > 0);
  for (const agent of agents) agent.listener = new ApiListener(createApiHandler({ state, acl, faults, agent, cluster }), host, options.tls);
  const scheme = options.tls ? 'https' : 'http';
  const control = createControlServer({ state, faults, api: agents[0].listener, scheme, cluster });
  let controlPort: number;
  try {
    for (const [i, agent] of agents.entries()) await agent.listener.listen(wanted[i].port ?? 0);
    controlPort = await listenControl(control, options.controlPort ?? 0, host);
  } catch (error) {
    cluster.close();
    state.close();
    await Promise.all(agents.map((a) => a.listener.stop()));
    control.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    port: agents[0].port,
    node: agents[0].node,
    controlPort,
    scheme,
    agents: agents.map((a) => ({ node: a.node, port: a.port })),
    state,
    faults,
    cluster,
    api: agents[0].listener,
    close() {
      closing ??= (async () => {
        faults.clear();
        cluster.close();
        state.close();
        control.closeAllConnections();
        await Promise.all([...agents.map((a) => a.listener.stop()), new Promise<void>((resolve) => control.close(() => resolve()))]);
      })();
      return closing;
    },
  };
}
