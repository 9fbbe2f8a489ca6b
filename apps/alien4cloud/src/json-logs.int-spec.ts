import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnConsulDev, type SpawnedConsulDev } from '../../consul-dev/test-support/start-consul-dev.js';
import { freePort } from '../../../test/support/free-port.js';
import { killAllSpawned, spawnProcess } from '../../../test/support/spawned-process.js';
import { waitUntil } from '../../../test/support/wait-until.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = join(repoRoot, 'dist', 'apps', 'alien4cloud', 'main.js');

describe('logging.format json with HA on: one object per line, transitions carry their fields', () => {
  let dir: string;
  let consul: SpawnedConsulDev | undefined;

  beforeAll(() => {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a4c-json-logs-'));
  });
  afterEach(async () => {
    await killAllSpawned();
    consul = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => killAllSpawned());

  it('every stdout line is JSON; the election transitions have instanceId, sessionId, term and reason', async () => {
    consul = await spawnConsulDev();
    const port = await freePort();
    const configFile = join(dir, 'a4c.yml');
    writeFileSync(
      configFile,
      [
        'server:',
        '  host: 127.0.0.1',
        'logging:',
        '  format: json',
        'directories:',
        `  alien: ${join(dir, 'alien')}`,
        'ha:',
        '  ha_enabled: true',
        '  instanceIp: 127.0.0.1',
        '  instanceId: json-one',
        `  consulAgentPort: ${consul.port}`,
        '  healthCheckPeriodInSecond: 1',
        '  consulSessionTTLInSecond: 10',
        '  drainTimeoutInMillis: 1000',
        '  closeTimeoutInMillis: 2000',
        '',
      ].join('\n'),
    );
    const server = spawnProcess(process.execPath, [entry, '--config', configFile, `--server.port=${port}`], { cwd: dir });
    let stdout = '';
    server.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await server.readyLine();
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/rest/admin/ha/leader`)).status === 200, { timeoutMs: 20_000, what: 'leadership' });
    expect(await server.stop('SIGTERM')).toBe(0);
    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>); // throws on a non-JSON line
    const toLeader = records.find((r) => typeof r.message === 'string' && / -> leader: /.test(r.message));
    expect(toLeader).toMatchObject({ level: 'log', context: 'HA', instanceId: 'json-one', term: 1, sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/), reason: expect.any(String) });
    expect(records.find((r) => r.message === 'leader -> deactivating: shutdown requested')).toMatchObject({ instanceId: 'json-one', term: 1, reason: 'shutdown requested' });
  }, 60_000);
});
