import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultTimings } from '../../apps/consul-dev/test-support/control-client.js';
import { spawnConsulDev, type SpawnedConsulDev } from '../../apps/consul-dev/test-support/start-consul-dev.js';
import { freePort } from './free-port.js';
import { SUITE_HA_TIMINGS } from './suite-timings.js';
import { spawnProcess, type SpawnedProcess } from './spawned-process.js';

/** The production server every instance runs unless a test names another entry (a test build's server). */
export const SERVER_ENTRY = join(process.cwd(), 'dist', 'apps', 'alien4cloud', 'main.js');

/** One stdout/stderr line with the wall-clock time at which the harness received it. */
export interface LogLine {
  readonly at: number;
  readonly text: string;
}

/** A signal the harness sent, with when: SIGSTOP/SIGCONT pairs mark periods in which a process did nothing. */
export interface SentSignal {
  readonly at: number;
  readonly signal: NodeJS.Signals;
}

export interface A4cInstance {
  readonly port: number;
  readonly url: string;
  readonly process: SpawnedProcess;
  /** `ha.instanceId` from the ready line (empty until ready). */
  readonly instanceId: string;
  /** Every output line, timestamped on receipt: the raw material of the one-leader-at-a-time check. */
  readonly lines: LogLine[];
  /** The consul-dev agent (node name) this instance talks to; `consul-dev` for the single shared agent. */
  readonly agent: string;
  /** Signals sent through `signal()`/`kill()`, in order. */
  readonly signals: SentSignal[];
  /** When the harness saw the process exit (undefined while it runs). */
  readonly exitedAt: number | undefined;
  status(): Promise<{ role: string; instanceId: string; term: number; leader: { id: string } | null }>;
  isActiveLeader(): Promise<boolean>;
  /** Sends a signal to the process (not its group) and records when. */
  signal(sig: NodeJS.Signals): void;
}

export interface A4cClusterOptions {
  healthCheckPeriodInSecond?: number;
  pollIntervalInMillis?: number;
  /** Elasticsearch URL; absent = the embedded store on the shared directory (the original harness). */
  elasticsearchUrl?: string;
  /** A fresh prefix per scenario keeps scenarios sharing one Elasticsearch node apart. */
  indexPrefix?: string;
  consulSessionTTLInSecond?: number;
  consulLockDelayInSecond?: number;
  lockAcquisitionDelayInSecond?: number;
  healthDiskSpaceThreshold?: number;
  healthEsTimeoutInMillis?: number;
  drainTimeoutInMillis?: number;
  /** ha.closeTimeoutInMillis (default here 2000, so that a 10 s TTL fits drain and close). */
  closeTimeoutInMillis?: number;
  /** ha.leaderLeaseInSecond (unset: the plugin's default). */
  leaderLeaseInSecond?: number;
  /**
   * One consul-dev client agent per host (docs/consul-behaviour.md fact 21): this many agents, `host-1`
   * ... `host-N`, instance n talking to agent n (modulo). Absent = the single shared dev agent.
   */
  agents?: number;
  /** consul-dev fault delays (detectMs, keepaliveMs, ...; apps/consul-dev/README.md), scaled down for tests. */
  consulTimings?: Partial<FaultTimings>;
  /** The script each instance runs (default SERVER_ENTRY), e.g. the late-write server of `npm run build:test`. */
  entry?: string;
  /** The agents' node names instead of `host-1` ... (`agents` is then their count). */
  agentNames?: string[];
  /** consul-dev in ACL mode: tokens (`SECRET=POLICY[,POLICY]`), policy files by name, default policy. */
  consulAcl?: { tokens: string[]; policyFiles: Record<string, string>; defaultPolicy: 'allow' | 'deny' };
  /** ha.consulToken of every instance (and of the a4c-ha CLI reading the same config file). */
  consulToken?: string;
}

export interface AddInstanceOptions {
  /** Reuse a port (rolling restart); default a free one. */
  port?: number;
  /** This instance's `directories.alien`; default the cluster's shared directory. */
  alienDir?: string;
  /** Extra `--dotted.key=value` overrides. */
  args?: string[];
  /** The consul-dev agent (node name) to talk to; default the n-th agent for the n-th instance. */
  agent?: string;
}

/**
 * A small HA cluster of real processes for process-level tests: one consul-dev and N A4C servers from
 * dist/, sharing one directory (the seed's shared file system) and either the embedded store or a real
 * Elasticsearch. Every output line is timestamped as it arrives, so tests can rebuild who led when.
 */
export class A4cCluster {
  readonly instances: A4cInstance[] = [];
  private readonly cleanups: Array<() => void> = [];
  private constructor(
    public consul: SpawnedConsulDev,
    readonly dir: string,
    private readonly configFile: string,
    private readonly entry: string,
  ) {}

  static async start(options: A4cClusterOptions = {}): Promise<A4cCluster> {
    const agents = options.agentNames ?? (options.agents ? Array.from({ length: options.agents }, (_, n) => `host-${n + 1}`) : undefined);
    const acl = options.consulAcl;
    const consul = await spawnConsulDev({
      agents,
      timings: options.consulTimings,
      ...(acl ? { aclTokens: acl.tokens, aclPolicyFiles: acl.policyFiles, aclDefaultPolicy: acl.defaultPolicy } : {}),
    });
    const dir = mkdtempSync(join(tmpdir(), 'a4c-cluster-'));
    const configFile = join(dir, 'a4c.yml');
    const elasticsearch = options.elasticsearchUrl
      ? ['elasticsearch:', `  urls: [${options.elasticsearchUrl}]`, `  indexPrefix: ${options.indexPrefix ?? 'a4c-'}`, '  requestTimeoutInMillis: 5000']
      : [];
    writeFileSync(
      configFile,
      [
        'server:',
        '  host: 127.0.0.1',
        'directories:',
        `  alien: ${join(dir, 'shared')}`,
        ...elasticsearch,
        'orchestrators:',
        '  - name: local',
        `    pollIntervalInMillis: ${options.pollIntervalInMillis ?? 100}`,
        'ha:',
        '  ha_enabled: true',
        '  instanceIp: 127.0.0.1',
        '  consulAgentIp: 127.0.0.1',
        `  consulAgentPort: ${consul.port}`,
        ...(options.consulToken !== undefined ? [`  consulToken: ${options.consulToken}`] : []),
        `  healthCheckPeriodInSecond: ${options.healthCheckPeriodInSecond ?? SUITE_HA_TIMINGS.healthCheckPeriodInSecond}`,
        `  consulSessionTTLInSecond: ${options.consulSessionTTLInSecond ?? SUITE_HA_TIMINGS.consulSessionTTLInSecond}`,
        `  consulLockDelayInSecond: ${options.consulLockDelayInSecond ?? SUITE_HA_TIMINGS.consulLockDelayInSecond}`,
        `  lockAcquisitionDelayInSecond: ${options.lockAcquisitionDelayInSecond ?? SUITE_HA_TIMINGS.lockAcquisitionDelayInSecond}`,
        ...(options.healthDiskSpaceThreshold !== undefined ? [`  health_disk_space_threshold: ${options.healthDiskSpaceThreshold}`] : []),
        ...(options.healthEsTimeoutInMillis !== undefined ? [`  health_es_timeout: ${options.healthEsTimeoutInMillis}`] : []),
        `  drainTimeoutInMillis: ${options.drainTimeoutInMillis ?? SUITE_HA_TIMINGS.drainTimeoutInMillis}`,
        `  closeTimeoutInMillis: ${options.closeTimeoutInMillis ?? SUITE_HA_TIMINGS.closeTimeoutInMillis}`,
        ...(options.leaderLeaseInSecond !== undefined ? [`  leaderLeaseInSecond: ${options.leaderLeaseInSecond}`] : []),
        '',
      ].join('\n'),
    );
    return new A4cCluster(consul, dir, configFile, options.entry ?? SERVER_ENTRY);
  }

  /** The shared directory every instance's `directories.alien` lives on. */
  get sharedDir(): string {
    return join(this.dir, 'shared');
  }

  async addInstance(options: AddInstanceOptions = {}): Promise<A4cInstance> {
    const port = options.port ?? (await freePort());
    const agents = this.consul.agents;
    const agent = options.agent ? agents.find((a) => a.node === options.agent) : agents[this.instances.length % agents.length];
    if (!agent) throw new Error(`consul-dev has no agent ${options.agent}`);
    const args = [this.entry, '--config', this.configFile, `--server.port=${port}`, `--ha.consulAgentPort=${agent.port}`, ...(options.args ?? [])];
    if (options.alienDir) {
      mkdirSync(options.alienDir, { recursive: true });
      args.push(`--directories.alien=${options.alienDir}`);
    }
    const child = spawnProcess(process.execPath, args, { cwd: this.dir });
    const instance = trackInstance(child, port, agent.node);
    this.instances.push(instance);
    const ready = await child.readyLine(30_000);
    (instance as { instanceId: string }).instanceId = String((ready.ha as { instanceId?: string } | undefined)?.instanceId ?? '');
    return instance;
  }

  /** Runs `fn` in stop(), after the processes ended and before the directory is removed (e.g. unmount). */
  addCleanup(fn: () => void): void {
    this.cleanups.push(fn);
  }

  /** The instances whose process is still running. */
  live(): A4cInstance[] {
    return this.instances.filter((i) => !i.process.hasExited);
  }

  /** The instances whose leader probe answers 200 right now. */
  async leaders(): Promise<A4cInstance[]> {
    const alive = this.live();
    const flags = await Promise.all(alive.map((i) => i.isActiveLeader()));
    return alive.filter((_, n) => flags[n]);
  }

  /**
   * Stops consul-dev and starts a new one on the same ports: a real agent restart that loses every
   * session, key, service and check (consul-dev keeps its state in memory only).
   */
  async restartConsul(): Promise<void> {
    const { port, controlPort, agents } = this.consul;
    if (agents.length > 1) throw new Error('restartConsul() restarts the single dev agent; use control.kill/restart for one of several agents');
    await this.consul.stop();
    this.consul = await spawnConsulDev({ port, controlPort });
  }

  async stop(): Promise<void> {
    // a SIGSTOPped process would sit on SIGTERM until the SIGKILL fallback: wake it up first
    for (const instance of this.live()) instance.process.signal('SIGCONT');
    await Promise.all(this.instances.map((i) => i.process.stop('SIGTERM', 10_000)));
    await this.consul.stop();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function trackInstance(child: SpawnedProcess, port: number, agent: string): A4cInstance {
  const url = `http://127.0.0.1:${port}`;
  const lines: LogLine[] = [];
  const signals: SentSignal[] = [];
  let exitedAt: number | undefined;
  // Our own listeners next to spawnProcess's: same chunks, but we stamp each complete line on arrival.
  for (const stream of [child.child.stdout, child.child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const at = Date.now();
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ at, text });
    });
  }
  child.child.on('exit', () => (exitedAt = Date.now()));
  return {
    port,
    url,
    process: child,
    instanceId: '',
    lines,
    agent,
    signals,
    get exitedAt() {
      return exitedAt;
    },
    status: async () => (await fetch(`${url}/rest/admin/ha`, { signal: AbortSignal.timeout(2_000) })).json() as never,
    isActiveLeader: async () => (await fetch(`${url}/rest/admin/ha/leader`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.status === 200,
    signal(sig) {
      signals.push({ at: Date.now(), signal: sig });
      child.signal(sig);
    },
  };
}
