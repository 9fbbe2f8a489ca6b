import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultTimings } from '../../apps/consul-dev/test-support/control-client.js';
import { spawnConsulDev, type SpawnedConsulDev } from '../../apps/consul-dev/test-support/start-consul-dev.js';
import { freePort } from '../../test/support/free-port.js';
import { waitUntil } from '../../test/support/wait-until.js';
import { A4cProcess } from './a4c-process.js';
import type { Cleanup } from './cleanup.js';
import { CountingProxy } from './counting-proxy.js';
import { instanceOfServer, startTaggedHaproxy, type TaggedHaproxy } from './tagged-haproxy.js';

export interface LocalClusterOptions {
  repoRoot: string;
  size: number;
  healthCheckPeriodInSecond: number;
  /** Shared Elasticsearch; absent = the embedded store on the shared alien directory. */
  elasticsearchUrl?: string;
  /** Start HAProxy in front of the instances (false when it is not installed). */
  haproxy: boolean;
  /** Extra `ha:` lines for the shared config file (e.g. `lockAcquisitionDelayInSecond: 5`). */
  extraHaConfig?: string[];
  /**
   * One consul-dev client agent per instance (`host-1` ...), each instance talking to its own agent
   * directly (no counting proxy: a killed agent must refuse connections), with these fault delays.
   */
  agentPerInstance?: { timings?: Partial<FaultTimings> };
}

/**
 * consul-dev + N A4C servers from dist/ (+ HAProxy): the same shape as test/support/a4c-cluster.ts, plus
 * what the bench and the demo need on top: fixed ports and ids that survive restarts, a counting Consul
 * proxy per instance, HAProxy that names who answered, and cleanup that survives Ctrl-C.
 */
export class LocalCluster {
  private constructor(
    readonly consul: SpawnedConsulDev,
    readonly instances: A4cProcess[],
    readonly consulCounters: CountingProxy[],
    readonly haproxy: TaggedHaproxy | undefined,
    readonly dir: string,
  ) {}

  static async start(options: LocalClusterOptions, cleanup: Cleanup): Promise<LocalCluster> {
    const entry = join(options.repoRoot, 'dist', 'apps', 'alien4cloud', 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    const dir = mkdtempSync(join(tmpdir(), 'a4c-local-cluster-'));
    cleanup.trackDir(dir);
    cleanup.onDispose(async () => rmSync(dir, { recursive: true, force: true })); // runs last: disposers run in reverse
    // the embedded store needs the shared directory to exist, or the disk indicator reports down
    mkdirSync(join(dir, 'shared'), { recursive: true });
    const agents = options.agentPerInstance ? Array.from({ length: options.size }, (_, n) => `host-${n + 1}`) : undefined;
    const consul = await spawnConsulDev({ cwd: options.repoRoot, agents, timings: options.agentPerInstance?.timings });
    cleanup.trackProcess(consul.process);
    cleanup.onDispose(async () => void (await consul.stop(5_000)));
    const configFile = join(dir, 'a4c.yml');
    writeFileSync(configFile, configYaml(dir, consul.port, options));
    const counters: CountingProxy[] = [];
    const instances: A4cProcess[] = [];
    for (let n = 1; n <= options.size; n++) {
      let agentPort = consul.agents[n - 1]?.port ?? consul.port;
      if (!agents) {
        const counter = await CountingProxy.start(consul.port);
        cleanup.onDispose(() => counter.close());
        counters.push(counter);
        agentPort = counter.port;
      }
      const args = [`--ha.consulAgentPort=${agentPort}`];
      instances.push(new A4cProcess(n, `a4c-${n}`, await freePort(), { entry, configFile, cwd: dir, args }, cleanup));
    }
    cleanup.onDispose(() => Promise.all(instances.map((i) => i.process?.stop('SIGTERM', 10_000))).then(() => undefined));
    const haproxy = options.haproxy ? await startTaggedHaproxy(options.repoRoot, instances.map((i) => i.port), cleanup) : undefined;
    if (haproxy) cleanup.onDispose(() => haproxy.stop());
    return new LocalCluster(consul, instances, counters, haproxy, dir);
  }

  /**
   * Starts the instances one after the other (parallel boots on 2 cores only slow each other down).
   * The first one wins the lock, as in a rolling deployment.
   */
  async startAll(onStarted?: (instance: A4cProcess) => void): Promise<void> {
    for (const instance of this.instances) {
      if (instance.running) continue;
      await instance.start();
      onStarted?.(instance);
    }
  }

  /** The one instance whose leader probe answers 200, once exactly one does. */
  async waitForLeader(timeoutMs = 30_000, notId?: string): Promise<A4cProcess> {
    return waitUntil(
      async () => {
        const alive = this.instances.filter((i) => i.running);
        const flags = await Promise.all(alive.map((i) => i.isActiveLeader()));
        const leaders = alive.filter((_, n) => flags[n]);
        return leaders.length === 1 && leaders[0]!.id !== notId ? leaders[0] : undefined;
      },
      { timeoutMs, intervalMs: 25, what: 'exactly one active leader' },
    );
  }

  /**
   * A healthy backup: its Consul check passed (it has a session), it sees `leaderId` in the key and it
   * is not leading. Only then can it take over at the next kill.
   */
  async waitForHealthyBackup(instance: A4cProcess, leaderId: string, timeoutMs = 30_000): Promise<void> {
    await waitUntil(
      async () => {
        const status = await instance.status();
        return status !== undefined && status.role === 'backup' && status.sessionId !== null && status.leader?.id === leaderId;
      },
      { timeoutMs, intervalMs: 50, what: `${instance.id} as a healthy backup of ${leaderId}` },
    );
  }

  /** Every running instance but the leader is a healthy backup of it. */
  async waitForSteadyState(leader: A4cProcess, timeoutMs = 60_000): Promise<void> {
    await Promise.all(this.instances.filter((i) => i !== leader && i.running).map((i) => this.waitForHealthyBackup(i, leader.id, timeoutMs)));
  }

  byServerName(name: string | null): A4cProcess | undefined {
    return this.instances.find((i) => i.id === instanceOfServer(name));
  }
}

function configYaml(dir: string, consulPort: number, options: LocalClusterOptions): string {
  const store = options.elasticsearchUrl ? ['elasticsearch:', '  urls:', `    - ${options.elasticsearchUrl}`] : [];
  return [
    'server:',
    '  host: 127.0.0.1',
    'directories:',
    `  alien: ${join(dir, 'shared')}`,
    ...store,
    'ha:',
    '  ha_enabled: true',
    '  instanceIp: 127.0.0.1',
    '  consulAgentIp: 127.0.0.1',
    `  consulAgentPort: ${consulPort}`,
    `  healthCheckPeriodInSecond: ${options.healthCheckPeriodInSecond}`,
    ...(options.extraHaConfig ?? []).map((line) => `  ${line}`),
    '',
  ].join('\n');
}
