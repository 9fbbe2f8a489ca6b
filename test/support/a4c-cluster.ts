import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnConsulDev, type SpawnedConsulDev } from '../../apps/consul-dev/test-support/start-consul-dev.js';
import { freePort } from './free-port.js';
import { spawnProcess, type SpawnedProcess } from './spawned-process.js';

const entry = join(process.cwd(), 'dist', 'apps', 'alien4cloud', 'main.js');

export interface A4cInstance {
  readonly port: number;
  readonly url: string;
  readonly process: SpawnedProcess;
  status(): Promise<{ role: string; instanceId: string; term: number; leader: { id: string } | null }>;
  isActiveLeader(): Promise<boolean>;
}

/**
 * A small HA cluster of real processes for process-level tests: one consul-dev and N A4C servers from
 * dist/, sharing one alien directory (the seed's shared file system) and the embedded store.
 */
export class A4cCluster {
  readonly instances: A4cInstance[] = [];
  private constructor(
    readonly consul: SpawnedConsulDev,
    readonly dir: string,
    private readonly configFile: string,
  ) {}

  static async start(options: { healthCheckPeriodInSecond?: number; pollIntervalInMillis?: number } = {}): Promise<A4cCluster> {
    const consul = await spawnConsulDev();
    const dir = mkdtempSync(join(tmpdir(), 'a4c-cluster-'));
    const configFile = join(dir, 'a4c.yml');
    writeFileSync(
      configFile,
      [
        'server:',
        '  host: 127.0.0.1',
        'directories:',
        `  alien: ${join(dir, 'shared')}`,
        'orchestrators:',
        '  - name: local',
        `    pollIntervalInMillis: ${options.pollIntervalInMillis ?? 100}`,
        'ha:',
        '  ha_enabled: true',
        '  instanceIp: 127.0.0.1',
        '  consulAgentIp: 127.0.0.1',
        `  consulAgentPort: ${consul.port}`,
        `  healthCheckPeriodInSecond: ${options.healthCheckPeriodInSecond ?? 1}`,
        '  consulSessionTTLInSecond: 10',
        '  lockAcquisitionDelayInSecond: 1',
        '',
      ].join('\n'),
    );
    return new A4cCluster(consul, dir, configFile);
  }

  async addInstance(): Promise<A4cInstance> {
    const port = await freePort();
    const child = spawnProcess(process.execPath, [entry, '--config', this.configFile, `--server.port=${port}`], { cwd: this.dir });
    await child.readyLine(30_000);
    const url = `http://127.0.0.1:${port}`;
    const instance: A4cInstance = {
      port,
      url,
      process: child,
      status: async () => (await fetch(`${url}/rest/admin/ha`)).json() as never,
      isActiveLeader: async () => (await fetch(`${url}/rest/admin/ha/leader`).catch(() => undefined))?.status === 200,
    };
    this.instances.push(instance);
    return instance;
  }

  /** The instances whose leader probe answers 200 right now. */
  async leaders(): Promise<A4cInstance[]> {
    const alive = this.instances.filter((i) => !i.process.hasExited);
    const flags = await Promise.all(alive.map((i) => i.isActiveLeader()));
    return alive.filter((_, n) => flags[n]);
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.process.stop('SIGTERM', 10_000)));
    await this.consul.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
