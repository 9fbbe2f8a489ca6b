import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../test/support/free-port.js';
import { killAllSpawned, spawnProcess } from '../../../test/support/spawned-process.js';
import { waitUntil } from '../../../test/support/wait-until.js';

// Bad input as an operator gives it to the real entry point: one line per problem, exit 2, no stack
// trace, and no port touched. `npm test` builds dist/ before jest runs.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = join(repoRoot, 'dist', 'apps', 'alien4cloud', 'main.js');
const RESERVED = 'expected a key path without "__proto__", "constructor" or "prototype" segments';
const STACK_LINE = /^\s+at /m;

describe('main.js refuses bad input cleanly', () => {
  let dir: string;
  let configFile: string;

  beforeAll(() => {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a4c-bad-input-'));
    configFile = join(dir, 'a4c.yml');
    writeFileSync(configFile, `server:\n  host: 127.0.0.1\ndirectories:\n  alien: ${join(dir, 'alien')}\n`);
  });
  afterEach(async () => {
    await killAllSpawned();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => killAllSpawned());

  /** Runs main.js to its exit; the output is stdout and stderr interleaved. */
  async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
    const child = spawnProcess(process.execPath, [entry, ...args], { cwd: dir, env });
    const code = await child.exited();
    return { code, output: child.output() };
  }

  it('--__proto__, constructor and prototype paths from the command line, the environment and the file: exit 2, one line each', async () => {
    writeFileSync(join(dir, 'proto.yml'), 'ha:\n  __proto__:\n    polluted: 1\n');
    const results = await Promise.all([
      run(['--config', configFile, '--__proto__.x=1']),
      run(['--config', configFile, '--constructor.prototype.x=1']),
      run(['--config', configFile], { A4C_ha__constructor__prototype__x: '1' }),
      run(['--config', join(dir, 'proto.yml')]),
    ]);
    expect(results).toEqual([
      { code: 2, output: `__proto__.x: ${RESERVED}, got "1"\n` },
      { code: 2, output: `constructor.prototype.x: ${RESERVED}, got "1"\n` },
      { code: 2, output: `A4C_ha__constructor__prototype__x: ${RESERVED}, got "1"\n` },
      { code: 2, output: `ha.__proto__: ${RESERVED}, got {"polluted":1}\n` },
    ]);
  }, 30_000);

  it('a wrong ha.trustStorePath: exit 2 with one line and no Nest stack dump, at startup and with --check-config', async () => {
    const missing = join(dir, 'missing-truststore.p12');
    writeFileSync(join(dir, 'not-a-store.p12'), 'definitely not a key store');
    const ha = ['--ha.ha_enabled=true', '--ha.instanceIp=127.0.0.1', '--ha.consul_tls_enabled=true', `--ha.consulAgentPort=${await freePort()}`];
    const [startup, check, garbage] = await Promise.all([
      run(['--config', configFile, `--server.port=${await freePort()}`, ...ha, `--ha.trustStorePath=${missing}`]),
      run(['--config', configFile, '--check-config', ...ha, `--ha.trustStorePath=${missing}`]),
      run(['--config', configFile, '--check-config', ...ha, `--ha.trustStorePath=${join(dir, 'not-a-store.p12')}`, '--ha.keyStoresPwd=s3cret']),
    ]);
    const line = `ha.trustStorePath: cannot use ${JSON.stringify(missing)}: file not found\n`;
    expect(startup).toEqual({ code: 2, output: line });
    expect(check).toEqual({ code: 2, output: line });
    expect(garbage.code).toBe(2);
    expect(garbage.output).toBe(`ha.trustStorePath: cannot use ${JSON.stringify(join(dir, 'not-a-store.p12'))}: unknown format (expected PKCS#12, PEM or JKS)\n`);
    for (const { output } of [startup, check, garbage]) expect(output).not.toMatch(STACK_LINE);
  }, 30_000);

  it('a server TLS key that does not match its certificate: exit 2, one line', async () => {
    const make = (name: string) =>
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    make('a');
    make('b');
    const result = await run(['--config', configFile, '--check-config', '--server.ssl.enabled=true', `--server.ssl.keyFile=${join(dir, 'a.key')}`, `--server.ssl.certFile=${join(dir, 'b.crt')}`]);
    expect(result).toEqual({ code: 2, output: `server.ssl.keyFile: cannot use ${JSON.stringify(join(dir, 'a.key'))}: the private key does not match server.ssl.certFile\n` });
  }, 30_000);

  it('--check-config says "configuration OK", exits 0 and touches no port (it passes while the port is taken)', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const result = await run(['--config', configFile, '--check-config', `--server.port=${port}`]);
      expect(result).toEqual({ code: 0, output: 'configuration OK\n' });
      expect(result.output).not.toContain('"event":"ready"');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 30_000);

  it('--help lists the options and the keys, --version prints the package version; both exit 0 even with a bad config', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const [help, shown] = await Promise.all([run(['--help', '--server.port=abc']), run(['--version'])]);
    expect(help.code).toBe(0);
    for (const text of ['--config FILE', '--check-config', '--version', '--help', 'Exit codes', 'server: port, host', 'logging: format', 'adminToken']) {
      expect(help.output).toContain(text);
    }
    expect(shown).toEqual({ code: 0, output: `alien4cloud ${version}\n` });
  }, 30_000);

  it('logging.format json: every log line of the parent and the full graph is one JSON object', async () => {
    const port = await freePort();
    const server = spawnProcess(process.execPath, [entry, '--config', configFile, `--server.port=${port}`, '--logging.format=json'], { cwd: dir });
    await waitUntil(() => server.output().includes('"event":"ready"') || undefined, { timeoutMs: 30_000, what: 'ready line' });
    expect(await server.stop('SIGTERM')).toBe(0);
    const lines = server.output().split('\n').filter((l) => l.length > 0);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>); // throws on any non-JSON line
    const logs = records.filter((r) => r.event !== 'ready');
    for (const record of logs) {
      // Nest's ConsoleLogger in json mode: epoch-ms timestamp and pid on every record
      expect(record).toEqual(expect.objectContaining({ level: expect.any(String), pid: server.child.pid, timestamp: expect.any(Number), message: expect.any(String) }));
    }
    const contexts = new Set(logs.map((r) => r.context));
    expect([...contexts]).toEqual(expect.arrayContaining(['NestFactory', 'FileDocumentStore', 'FullGraphHost']));
  }, 60_000);
});
