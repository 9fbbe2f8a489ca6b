import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/free-port.js';
import { killAllSpawned, spawnProcess } from '../support/spawned-process.js';
import { waitUntil } from '../support/wait-until.js';

const ROOT = process.cwd();
const UNIT = readFileSync(join(ROOT, 'deploy', 'systemd', 'alien4cloud.service'), 'utf8');
const WRAPPER = join(ROOT, 'deploy', 'systemd', 'a4c-ha');
const execFileAsync = promisify(execFile);
// npm ci, a build of the package and one of the whole repository, on a loaded 2-core machine
const SLOW = 15 * 60_000;

/** Runs a command to its end; its exit code and output (never throws on a non-zero exit). */
async function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }) {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? SLOW, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) };
  }
}

/** The install commands the unit's comment gives (the line that starts with `npm ci`), split on `&&`. */
function unitInstallCommands(): string[][] {
  const line = UNIT.split('\n').map((l) => /^#\s+(npm ci\b.*)$/.exec(l)?.[1]).find((l) => l !== undefined);
  if (!line) throw new Error('alien4cloud.service names no `npm ci ...` install line');
  return line.split('&&').map((c) => c.trim().split(/\s+/));
}

/** A fresh clone of the working tree: every tracked or new, not ignored, file; no dist/, no node_modules. */
async function copyWorkingTree(to: string): Promise<void> {
  const { stdout } = await execFileAsync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    const from = join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(from, join(to, file));
    chmodSync(join(to, file), statSync(from).mode & 0o777);
  }
}

describe('the deploy path as written: fresh clone, the unit\'s install commands, npx a4c-ha, a pruned server that starts', () => {
  let clone: string;
  // config through npm's environment, so that the commands run exactly as the unit writes them
  const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };

  beforeAll(async () => {
    clone = mkdtempSync(join(tmpdir(), 'a4c-fresh-clone-'));
    await copyWorkingTree(clone);
  }, SLOW);
  afterAll(async () => {
    await killAllSpawned();
    if (clone) rmSync(clone, { recursive: true, force: true });
  }, SLOW);

  it('the unit builds before it prunes the dev dependencies', () => {
    expect(unitInstallCommands().map((c) => c.join(' '))).toEqual(['npm ci', 'npm run build', 'npm prune --omit=dev']);
  });

  it('runs the commands, with `npx a4c-ha` working right after `npm ci`, and the pruned server starts and stops cleanly', async () => {
    const [ci, ...rest] = unitInstallCommands();
    const installed = await run(ci![0]!, ci!.slice(1), { cwd: clone, env: npmEnv });
    expect({ code: installed.code, stderr: installed.code === 0 ? '' : installed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(join(clone, 'dist'))).toBe(false);

    // the bin is linked although nothing is built yet; it builds the package on demand
    const help = await run('npx', ['a4c-ha', '--help'], { cwd: clone });
    expect({ code: help.code, commands: help.stdout.includes('Commands:'), stdout: help.stdout.includes('Commands:') ? '' : help.stdout + help.stderr }).toEqual({ code: 0, commands: true, stdout: '' });
    const version = JSON.parse(readFileSync(join(clone, 'libs', 'ha', 'package.json'), 'utf8')).version as string;
    expect(await run('npx', ['a4c-ha', '--version'], { cwd: clone })).toEqual({ code: 0, stdout: `a4c-ha ${version}\n`, stderr: '' });

    for (const [command, ...args] of rest) {
      const step = await run(command!, args, { cwd: clone, env: npmEnv });
      expect({ step: [command, ...args].join(' '), code: step.code, stderr: step.code === 0 ? '' : step.stderr.slice(-2000) }).toEqual({ step: [command, ...args].join(' '), code: 0, stderr: '' });
    }
    expect(existsSync(join(clone, 'node_modules', 'typescript'))).toBe(false); // the prune did prune
    expect((await run(join(clone, 'node_modules', '.bin', 'a4c-ha'), ['--version'], { cwd: clone })).stdout).toBe(`a4c-ha ${version}\n`);

    const port = await freePort();
    const server = spawnProcess(process.execPath, ['dist/apps/alien4cloud/main.js', `--server.port=${port}`, '--server.host=127.0.0.1', `--directories.alien=${join(clone, 'data')}`, '--orchestrators=[]'], { cwd: clone });
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/rest/admin/health`).catch(() => undefined))?.status === 200, { timeoutMs: 60_000, what: 'the pruned server healthy' });
    const apps = await fetch(`http://127.0.0.1:${port}/rest/v1/applications`);
    expect({ status: apps.status, body: await apps.json() }).toEqual({ status: 200, body: [] });
    expect(await server.stop('SIGTERM', 30_000)).toBe(0);
  }, SLOW);
});

describe('deploy/systemd/a4c-ha: the installed operator command', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'a4c-ha-command-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('uses the unit\'s paths: /opt/a4c, /etc/a4c/a4c.env, /etc/a4c/alien4cloud-config.yml', () => {
    const wrapper = readFileSync(WRAPPER, 'utf8');
    expect(UNIT).toContain('WorkingDirectory=/opt/a4c\n');
    expect(UNIT).toContain('EnvironmentFile=-/etc/a4c/a4c.env\n');
    expect(UNIT).toMatch(/^ExecStart=.* --config \/etc\/a4c\/alien4cloud-config\.yml$/m);
    expect(wrapper).toContain('A4C_HOME=${A4C_HOME:-/opt/a4c}');
    expect(wrapper).toContain('A4C_ENV_FILE=${A4C_ENV_FILE:-/etc/a4c/a4c.env}');
    expect(wrapper).toContain('A4C_CONFIG=${A4C_CONFIG:-/etc/a4c/alien4cloud-config.yml}');
    expect(UNIT).toContain('install -m 0755 deploy/systemd/a4c-ha /usr/local/bin/a4c-ha');
    expect(statSync(WRAPPER).mode & 0o111).toBe(0o111);
  });

  it('passes the tokens of the environment file in the environment, never on the command line', async () => {
    // a `node` that records what it was given
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'node'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(dir, 'argv')}"\nenv > "${join(dir, 'env')}"\n`, { mode: 0o755 });
    const token = 'adm$in`tok"en';
    writeFileSync(join(dir, 'a4c.env'), ['# tokens', `A4C_ha__adminToken=${token}`, 'A4C_ha__consulToken="quoted-consul-token"', 'PATH=/nowhere', ''].join('\n'), { mode: 0o600 });
    const env = { PATH: `${bin}:/usr/bin:/bin`, A4C_HOME: '/opt/a4c-test', A4C_ENV_FILE: join(dir, 'a4c.env'), A4C_CONFIG: '/etc/a4c-test/config.yml' };
    expect((await run(WRAPPER, ['switchover', '--candidate', 'a4c-2'], { cwd: dir, env })).code).toBe(0);
    const argv = readFileSync(join(dir, 'argv'), 'utf8').trimEnd().split('\n');
    expect(argv).toEqual(['/opt/a4c-test/libs/ha/bin/a4c-ha.mjs', 'switchover', '--candidate', 'a4c-2', '--config', '/etc/a4c-test/config.yml']);
    const seen = readFileSync(join(dir, 'env'), 'utf8').split('\n');
    expect(seen).toEqual(expect.arrayContaining([`A4C_ha__adminToken=${token}`, 'A4C_ha__consulToken=quoted-consul-token', `PATH=${bin}:/usr/bin:/bin`]));
    // the operator's own --config wins over the unit's
    expect((await run(WRAPPER, ['list', '--config', '/tmp/other.yml'], { cwd: dir, env })).code).toBe(0);
    expect(readFileSync(join(dir, 'argv'), 'utf8').trimEnd().split('\n')).toEqual(['/opt/a4c-test/libs/ha/bin/a4c-ha.mjs', 'list', '--config', '/tmp/other.yml']);
  }, 30_000);

  it('runs this repository\'s build: --version', async () => {
    const env = { ...process.env, A4C_HOME: ROOT, A4C_ENV_FILE: join(dir, 'absent.env'), A4C_CONFIG: join(dir, 'absent.yml') };
    const version = JSON.parse(readFileSync(join(ROOT, 'libs', 'ha', 'package.json'), 'utf8')).version as string;
    // (the launcher first rebuilds the package when src/ is newer than its dist/: hence the time allowed)
    const answer = await run(WRAPPER, ['--version'], { cwd: dir, env });
    expect({ code: answer.code, stdout: answer.stdout }).toEqual({ code: 0, stdout: `a4c-ha ${version}\n` });
  }, SLOW);
});

describe('one configuration path', () => {
  it('no doc or deploy file names /etc/alien4cloud (deploy/ installs into /etc/a4c)', () => {
    const files = ['README.md', 'libs/ha/README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`), 'config/alien4cloud-config.yml'];
    const walk = (dir: string): string[] => readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
    const offenders = [...files, ...walk('deploy')].filter((file) => readFileSync(join(ROOT, file), 'utf8').includes('/etc/alien4cloud'));
    expect(offenders).toEqual([]);
  });
});
