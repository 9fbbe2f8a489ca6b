import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnConsulDev, type SpawnedConsulDev } from '../../apps/consul-dev/test-support/start-consul-dev.js';
import { freePort } from '../support/free-port.js';
import { spawnProcess, type SpawnedProcess } from '../support/spawned-process.js';
import { waitUntil } from '../support/wait-until.js';
import { exampleLockfile } from './example-lockfile.js';
import { isTestCode } from './test-code.js';

// The proof that @a4c/ha installs into a Nest application outside this workspace: pack the library,
// install the tarball into a copy of examples/standalone-app (offline, from the npm cache), build it with
// its own tsc, run two instances against consul-dev with HA on, and fail over.
jest.setTimeout(120_000);

const run = promisify(execFile);
const repoRoot = process.cwd();
const library = JSON.parse(readFileSync(join(repoRoot, 'libs/ha/package.json'), 'utf8')) as { name: string; version: string };
const CHECK_PERIOD_MS = 1_000; // healthCheckPeriodInSecond in examples/standalone-app/src/app.module.ts
const LOCK_ACQUISITION_DELAY_MS = 1_000; // lockAcquisitionDelayInSecond there
// SIGKILL: the agent's check sees "connection refused" within one period, invalidates the session; the
// backup's blocking read fires, it acquires (at most the acquisition delay) and boots a one-controller graph
const TAKEOVER_BOUND_MS = 2 * CHECK_PERIOD_MS + LOCK_ACQUISITION_DELAY_MS + 3_000;

/** npm without the npm_* variables of the `npm test` that runs us (npm_config_local_prefix points at the workspace). */
function npm(args: string[], cwd: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  return run('npm', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }).catch((error: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  });
}

interface Status {
  role: string;
  acting: boolean;
  instanceId: string;
  leader: { id: string } | null;
}

class ExampleInstance {
  constructor(
    readonly process: SpawnedProcess,
    readonly url: string,
  ) {}

  async status(): Promise<Status> {
    const response = await fetch(`${this.url}/rest/admin/ha`, { signal: AbortSignal.timeout(2_000) });
    return (await response.json()) as Status;
  }

  async probe(): Promise<number> {
    return fetch(`${this.url}/rest/admin/ha/leader`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
  }

  async hello(): Promise<{ status: number; body: { servedBy?: string } }> {
    const response = await fetch(`${this.url}/hello`, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, body: (await response.json()) as { servedBy?: string } };
  }
}

describe('@a4c/ha installed from its npm pack tarball into examples/standalone-app', () => {
  let work: string;
  let app: string;
  let consul: SpawnedConsulDev | undefined;
  const instances: ExampleInstance[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'a4c-standalone-'));
    app = join(work, 'app');
    cpSync(join(repoRoot, 'examples/standalone-app'), app, {
      recursive: true,
      filter: (path) => !/[/\\](node_modules|dist)$|\.tgz$|package-lock\.json$/.test(path),
    });
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
    const spec = manifest.dependencies[library.name] as string;
    const tarballName = `${library.name.replace(/^@/, '').replace('/', '-')}-${library.version}.tgz`;
    expect(spec).toBe(`file:${tarballName}`); // the example names the tarball of this version

    await npm(['pack', '--workspace', 'libs/ha', '--pack-destination', work], repoRoot); // prepack builds it
    renameSync(join(work, tarballName), join(app, tarballName));
    const workspaceLock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
    const lock = exampleLockfile(workspaceLock, manifest, { manifest: JSON.parse(readFileSync(join(repoRoot, 'libs/ha/package.json'), 'utf8')), workspacePath: 'libs/ha', spec, tarballFile: join(app, tarballName) });
    writeFileSync(join(app, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);

    await npm(['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
    // what the tarball ships: the built JS with its declarations, no sources or tests; of the test doubles
    // only the deliberate @a4c/ha/testing entry (test/package/no-test-code.int-spec.ts names the rule)
    const installed = join(app, 'node_modules', library.name);
    const shipped = readdirSync(installed, { recursive: true, encoding: 'utf8' });
    expect(shipped).toEqual(expect.arrayContaining(['package.json', 'README.md', join('dist', 'index.js'), join('dist', 'index.d.ts'), join('dist', 'testing', 'index.js')]));
    expect(shipped.filter(isTestCode)).toEqual([]);
    // the example's own compiler, against the installed package's type declarations
    await run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', join(app, 'tsconfig.json')], { cwd: app }).catch((error: Error & { stdout?: string }) => {
      throw new Error(`the example does not compile against the packed @a4c/ha: ${error.stdout ?? error.message}`);
    });
    consul = await spawnConsulDev();
  });

  it('without the optional peer @elastic/elasticsearch the app runs; configuring the Elasticsearch indicator fails saying what to install', async () => {
    expect(existsSync(join(app, 'node_modules', '@elastic', 'elasticsearch'))).toBe(false); // the other test runs the app without it
    const script = [
      "import 'reflect-metadata';",
      "import { Module } from '@nestjs/common';",
      "import { Test } from '@nestjs/testing';",
      "import { HaModule } from '@a4c/ha';",
      'class Graph {}',
      'Module({})(Graph);',
      "const options = { ha: {}, application: Graph, serverPort: 3000, directory: '.', elasticsearch: { urls: ['http://127.0.0.1:9'] } };",
      'await Test.createTestingModule({ imports: [HaModule.forRoot(options)] }).compile().then(() => console.log("started"), (error) => console.log(error.message));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
    expect(stdout.trim()).toBe('the Elasticsearch health indicator (HaModule option "elasticsearch") needs the optional peer dependency @elastic/elasticsearch: npm install @elastic/elasticsearch@^8.19.1');
  });

  it('the README\'s @a4c/ha/testing example is the example app\'s test, and it passes against the packed package', async () => {
    const readme = readFileSync(join(repoRoot, 'libs/ha/README.md'), 'utf8');
    const example = readFileSync(join(repoRoot, 'examples/standalone-app/src/leadership.test.ts'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
    const { stdout } = await npm(['test'], app); // fails (non-zero exit) when the test fails
    // the spec reporter (named in the example's script: the default differs between Node 20 and 24)
    expect(stdout).toMatch(/^ℹ pass 1$/m);
    expect(stdout).toMatch(/^ℹ fail 0$/m);
  });

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.process.stop('SIGKILL')));
    await consul?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function startInstance(): Promise<ExampleInstance> {
    const port = await freePort();
    const env = { PORT: String(port), HA_ENABLED: 'true', CONSUL_HOST: '127.0.0.1', CONSUL_PORT: String(consul!.port), INSTANCE_IP: '127.0.0.1', DATA_DIR: work };
    const child = spawnProcess(process.execPath, [join(app, 'dist/main.js')], { cwd: app, env });
    const instance = new ExampleInstance(child, `http://127.0.0.1:${port}`);
    instances.push(instance);
    const ready = await child.readyLine(30_000);
    expect(ready).toMatchObject({ event: 'ready', url: instance.url });
    return instance;
  }

  it('two instances elect one leader, which serves the app; SIGKILL it and the other takes over', async () => {
    const [a, b] = await Promise.all([startInstance(), startInstance()]);
    const leader = await waitUntil(
      async () => {
        const [sa, sb] = await Promise.all([a.status(), b.status()]);
        if (sa.role === 'leader' && sa.acting && sb.role === 'backup' && sb.leader?.id === sa.instanceId) return a;
        if (sb.role === 'leader' && sb.acting && sa.role === 'backup' && sa.leader?.id === sb.instanceId) return b;
        return undefined;
      },
      { timeoutMs: 30_000, what: 'one acting leader and one backup that names it' },
    );
    const backup = leader === a ? b : a;
    const leaderId = (await leader.status()).instanceId;
    expect(await leader.probe()).toBe(200);
    expect(await backup.probe()).toBe(503);
    expect(await leader.hello()).toEqual({ status: 200, body: { greeting: 'hello from the leader', servedBy: leaderId } });
    // the backup never runs the app's graph: it forwards to the leader or answers 503
    const viaBackup = await backup.hello();
    if (viaBackup.status === 200) expect(viaBackup.body.servedBy).toBe(leaderId);
    else expect(viaBackup.status).toBe(503);

    await leader.process.stop('SIGKILL');
    const killedAt = Date.now();
    await waitUntil(async () => (await backup.probe()) === 200, { timeoutMs: TAKEOVER_BOUND_MS, intervalMs: 50, what: 'the backup acting as leader' });
    const takeoverMs = Date.now() - killedAt;
    process.stdout.write(`[standalone-app] takeover ${takeoverMs} ms after SIGKILL (bound ${TAKEOVER_BOUND_MS} ms)\n`);
    const survivor = await backup.status();
    expect(survivor).toMatchObject({ role: 'leader', acting: true, leader: { id: survivor.instanceId } });
    expect(await backup.hello()).toEqual({ status: 200, body: { greeting: 'hello from the leader', servedBy: survivor.instanceId } });
  });
});
