// Spawns the BUILT double (`dist/apps/consul-dev/main.js`, run `npm run build` first) as a real process
// on free ports, for e2e tests: real signals, real "connection refused". In-process tests should call
// startConsulDev() from apps/consul-dev/src/consul-dev-server.ts instead.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../test/support/free-port.js';
import { type SpawnedProcess, spawnProcess } from '../../../test/support/spawned-process.js';
import { type FaultTimings, timingFlag } from '../src/cluster/fault-timings.js';
import { ConsulDevControl } from './control-client.js';

export interface SpawnConsulDevOptions {
  /** API port of the (first) agent; a free port by default. */
  port?: number;
  controlPort?: number;
  /** The single agent's node name; exclusive with `agents`. */
  node?: string;
  /** One client agent per host (each its own node and API port), sharing the servers' state. */
  agents?: Array<string | { node: string; port?: number }>;
  /** Delays of the cluster faults (wall-clock ms; defaults in apps/consul-dev/README.md). */
  timings?: Partial<FaultTimings>;
  /** `SECRET` (legacy: first management, others read-only) or `SECRET=POLICY[,POLICY]`. */
  aclTokens?: string[];
  /** Policy name → HCL rules file (`--acl-policy NAME=FILE`). */
  aclPolicyFiles?: Record<string, string>;
  aclDefaultPolicy?: 'allow' | 'deny';
  tls?: { certFile: string; keyFile: string; caFile: string; verifyIncoming?: boolean };
  timeScale?: number;
  /** Extra raw arguments (appended last). */
  args?: string[];
  /** Repository root (default: process.cwd()). */
  cwd?: string;
}

export interface SpawnedConsulDev {
  readonly port: number;
  readonly controlPort: number;
  readonly scheme: 'http' | 'https';
  readonly node: string;
  /** `http://127.0.0.1:<port>` (or https) of the first agent. */
  readonly url: string;
  /** Every agent, first one first (one entry, the single agent, without `agents`). */
  readonly agents: ReadonlyArray<{ node: string; port: number; url: string }>;
  readonly control: ConsulDevControl;
  readonly process: SpawnedProcess;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export function consulDevMain(cwd = process.cwd()): string {
  return join(cwd, 'dist', 'apps', 'consul-dev', 'main.js');
}

export function consulDevArgs(options: SpawnConsulDevOptions & { port: number; controlPort: number }): string[] {
  const args = ['--port', String(options.port), '--control-port', String(options.controlPort)];
  if (options.node) args.push('--node', options.node);
  for (const agent of options.agents ?? []) {
    const spec = typeof agent === 'string' ? { node: agent } : agent;
    args.push('--agent', spec.port === undefined ? spec.node : `${spec.node}:${spec.port}`);
  }
  for (const [key, value] of Object.entries(options.timings ?? {})) {
    args.push(timingFlag(key as keyof FaultTimings), String(value));
  }
  for (const token of options.aclTokens ?? []) args.push('--acl-token', token);
  for (const [name, file] of Object.entries(options.aclPolicyFiles ?? {})) args.push('--acl-policy', `${name}=${file}`);
  if (options.aclDefaultPolicy) args.push('--acl-default-policy', options.aclDefaultPolicy);
  if (options.tls) {
    args.push('--tls-cert', options.tls.certFile, '--tls-key', options.tls.keyFile, '--tls-ca', options.tls.caFile);
    if (options.tls.verifyIncoming) args.push('--verify-incoming');
  }
  if (options.timeScale !== undefined) args.push('--time-scale', String(options.timeScale));
  return [...args, ...(options.args ?? [])];
}

/**
 * A port that freePort() found free can be taken before the double binds it: the kernel hands the same
 * ephemeral range to outgoing connections, which a busy test machine opens by the hundred. When we chose
 * the ports, such a start is tried again on fresh ones.
 */
const PORT_TAKEN_TRIES = 3;

export async function spawnConsulDev(options: SpawnConsulDevOptions = {}): Promise<SpawnedConsulDev> {
  const main = consulDevMain(options.cwd);
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const portsOurs = options.port === undefined && options.controlPort === undefined && !(options.agents ?? []).some((a) => typeof a !== 'string' && a.port !== undefined);
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await freePort());
    const controlPort = options.controlPort ?? (await freePort());
    const child = spawnProcess(process.execPath, [main, ...consulDevArgs({ ...options, port, controlPort })], { cwd: options.cwd });
    try {
      return startedConsulDev(child, await child.readyLine(15_000));
    } catch (error) {
      await child.stop('SIGKILL');
      if (!(portsOurs && attempt < PORT_TAKEN_TRIES && /EADDRINUSE/.test(String(error)))) throw error;
    }
  }
}

function startedConsulDev(child: ReturnType<typeof spawnProcess>, ready: Record<string, unknown>): SpawnedConsulDev {
  const scheme = ready.scheme === 'https' ? 'https' : 'http';
  const listed = Array.isArray(ready.agents) ? (ready.agents as Array<{ node: string; port: number }>) : [{ node: String(ready.node), port: Number(ready.port) }];
  return {
    agents: listed.map((a) => ({ node: a.node, port: a.port, url: `${scheme}://127.0.0.1:${a.port}` })),
    port: Number(ready.port),
    controlPort: Number(ready.controlPort),
    scheme,
    node: String(ready.node),
    url: `${scheme}://127.0.0.1:${Number(ready.port)}`,
    control: ConsulDevControl.at(Number(ready.controlPort)),
    process: child,
    stop: (timeoutMs = 10_000) => child.stop('SIGTERM', timeoutMs),
  };
}
