import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../test/support/free-port.js';
import { killAllSpawned, spawnProcess, type SpawnedProcess } from '../../../test/support/spawned-process.js';
import { request } from './testing/core-test-app.js';

// The real entry point as operators run it (docs/architecture.md §4). `npm test` builds dist/ before jest runs.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = join(repoRoot, 'dist', 'apps', 'alien4cloud', 'main.js');

/** Status of a GET over HTTPS trusting only `ca` (fetch cannot be given a CA without extra packages). */
function httpsStatus(url: string, ca: Buffer): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on('error', reject);
  });
}

describe('node dist/apps/alien4cloud/main.js', () => {
  let dir: string;
  let configFile: string;

  beforeAll(() => {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a4c-main-'));
    configFile = join(dir, 'a4c.yml');
    writeFileSync(configFile, `server:\n  host: 127.0.0.1\ndirectories:\n  alien: ${join(dir, 'alien')}\norchestrators:\n  - name: local\n    pollIntervalInMillis: 50\n`);
  });
  afterEach(async () => {
    await killAllSpawned();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => killAllSpawned());

  const start = (args: string[]): SpawnedProcess => spawnProcess(process.execPath, [entry, ...args], { cwd: dir });

  it('serves, exits 0 on SIGTERM and SIGINT, and keeps its data across a restart', async () => {
    const port = await freePort();
    const first = start(['--config', configFile, `--server.port=${port}`]);
    const ready = await first.readyLine();
    expect(ready).toMatchObject({ event: 'ready', url: `http://127.0.0.1:${port}`, configFile, store: 'embedded', orchestrators: ['local'] });
    const apps = `${ready.url as string}/rest/v1/applications`;
    expect((await request('POST', apps, { name: 'Durable App' })).status).toBe(201);
    // through the parent context and its dispatch: a malformed body is a 400 with a reason, never a 500
    const malformed = await fetch(apps, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": ' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { reason: string }).reason).toMatch(/malformed JSON body/);
    expect(await (await fetch(`${ready.url as string}/rest/admin/ha`)).json()).toMatchObject({ enabled: false, role: 'leader' });
    expect(await first.stop('SIGTERM')).toBe(0);
    // the plugin ends the term (HaContext.signal) before it closes the graph: the pollers stop on the first
    expect(first.output()).toContain('stopping orchestrator pollers: leadership ended');
    expect(first.output()).toContain('closing the full graph: shutdown');

    const second = start(['--config', configFile, `--server.port=${port}`]);
    await second.readyLine();
    expect((await request('GET', apps)).body).toEqual([expect.objectContaining({ id: 'durable-app', name: 'Durable App' })]);
    expect(await second.stop('SIGINT')).toBe(0);
  }, 60_000);

  it('keeps idle keep-alive connections open longer than proxies keep theirs (65 s, announced to clients)', async () => {
    const port = await freePort();
    const server = start(['--config', configFile, `--server.port=${port}`]);
    await server.readyLine();
    const agent = new Agent({ keepAlive: true });
    try {
      // Node's own default (5 s) would close a connection HAProxy may reuse at that very moment
      const keepAlive = await new Promise<string>((resolve, reject) => {
        httpGet(`http://127.0.0.1:${port}/rest/admin/health`, { agent }, (response) => {
          response.resume();
          resolve(String(response.headers['keep-alive']));
        }).on('error', reject);
      });
      expect(keepAlive).toBe('timeout=65');
    } finally {
      agent.destroy();
    }
    expect(await server.stop('SIGTERM')).toBe(0);
  }, 60_000);

  it('serves HTTPS when server.ssl.enabled', async () => {
    const key = join(dir, 'server.key');
    const cert = join(dir, 'server.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const port = await freePort();
    const tls = start(['--config', configFile, `--server.port=${port}`, '--server.ssl.enabled=true', `--server.ssl.keyFile=${key}`, `--server.ssl.certFile=${cert}`]);
    const ready = await tls.readyLine();
    expect(ready.url).toBe(`https://127.0.0.1:${port}`);
    expect(await httpsStatus(`${ready.url as string}/rest/v1/applications`, readFileSync(cert))).toBe(200);
    expect(await tls.stop('SIGTERM')).toBe(0);
  }, 60_000);

  it('exits 2 with exactly one line per configuration problem', async () => {
    const bad = start(['--config', configFile, '--server.port=abc']);
    expect(await bad.exited()).toBe(2);
    expect(bad.output()).toBe('server.port: expected an integer 1-65535, got "abc"\n');
  }, 30_000);

  it('names every problem at once and never prints a secret', async () => {
    writeFileSync(configFile, 'server:\n  prot: 8088\nelasticsearch:\n  password: s3cret-from-file\n');
    const bad = spawnProcess(process.execPath, [entry, '--config', configFile, '--elasticsearch.apiKey=', '--elasticsearch.username=', '--ha.consulToken=t0ken'], {
      cwd: dir,
      env: { A4C_directories__alien: '[]' },
    });
    expect(await bad.exited()).toBe(2);
    expect(bad.output().split('\n')).toEqual([
      'server.prot: unknown key (did you mean port?)',
      'directories.alien: expected a directory path, got []',
      'elasticsearch.username: required when elasticsearch.password is set',
      '',
    ]);
    expect(bad.output()).not.toMatch(/s3cret|t0ken/);
  }, 30_000);

  it('exits 2 when the file named by --config does not exist', async () => {
    const bad = start(['--config', join(dir, 'missing.yml')]);
    expect(await bad.exited()).toBe(2);
    expect(bad.output()).toBe(`--config: file not found: "${join(dir, 'missing.yml')}"\n`);
  }, 30_000);
});
