import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { spawnProcess, type SpawnedProcess } from '../support/spawned-process.js';

// `nest start alien4cloud` (nest-cli.json, tsc builder) must serve what `npm start` serves: the same
// embedded default (HA off, embedded store, the standard config file), from the same sources.
jest.setTimeout(110_000);

const repoRoot = process.cwd();

/** What two runs of the same configuration must agree on: the ready line and the HA status, less pid/times. */
async function observe(child: SpawnedProcess, url: string, timeoutMs: number) {
  const { pid: _pid, ...ready } = await child.readyLine(timeoutMs);
  const { since: _since, ...status } = (await (await fetch(`${url}/rest/admin/ha`)).json()) as Record<string, unknown>;
  const leaderProbe = (await fetch(`${url}/rest/admin/ha/leader`)).status;
  const applications = await fetch(`${url}/rest/v1/applications`);
  return { ready, status, leaderProbe, applications: { status: applications.status, body: await applications.json() } };
}

describe('nest start alien4cloud', () => {
  let work: string;
  const started: SpawnedProcess[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'a4c-nest-start-'));
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    rmSync(work, { recursive: true, force: true });
  });

  it('serves the embedded default exactly like npm start (node dist/apps/alien4cloud/main.js)', async () => {
    const port = await freePort();
    const args = [`--server.port=${port}`, `--directories.alien=${join(work, 'alien')}`];
    const url = `http://127.0.0.1:${port}`;

    const viaNode = spawnProcess(process.execPath, [join(repoRoot, 'dist/apps/alien4cloud/main.js'), ...args], { cwd: repoRoot });
    started.push(viaNode);
    const expected = await observe(viaNode, url, 30_000);
    expect(await viaNode.stop('SIGTERM')).toBe(0);

    // --no-shell: the CLI runs node itself, so its SIGTERM reaches the server (the default goes through sh)
    const viaNest = spawnProcess(process.execPath, [join(repoRoot, 'node_modules/@nestjs/cli/bin/nest.js'), 'start', 'alien4cloud', '--no-shell', '--', ...args], { cwd: repoRoot });
    started.push(viaNest);
    const actual = await observe(viaNest, url, 90_000); // the CLI compiles tsconfig.build.json first

    expect(expected).toMatchObject({ ready: { event: 'ready', service: 'alien4cloud', store: 'embedded', ha: { enabled: false } }, status: { enabled: false, role: 'leader', acting: true }, leaderProbe: 200 });
    expect(actual).toEqual(expected);
    expect(await viaNest.stop('SIGTERM')).toBe(0);
  });
});
