import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { startHaproxy, type Haproxy } from '../support/haproxy.js';
import { killAllSpawned, spawnProcess } from '../support/spawned-process.js';
import { waitUntil } from '../support/wait-until.js';
import { OTHER_SPELLINGS, OUTSIDE_PROBES, OUTSIDE_REFUSED_READS, OUTSIDE_REFUSED_WRITES, rawRequest } from './support/admin-paths.js';
import { requireTool } from './support/tools.js';

// A server start and HAProxy's first checks take seconds on a loaded machine.
const SLOW = 120_000;

/**
 * The shipped HAProxy sample in front of a real A4C instance (HA off: it acts and answers its probes):
 * from outside, /rest/admin/ offers only the health route and the leader probe (issue 20 item 5).
 * Every refused route is first shown to exist on the instance itself, so a 403 is the proxy's doing.
 */
describe('deploy/haproxy: only the health and leader probes of /rest/admin/ from outside', () => {
  let dir: string;
  let instancePort: number;
  let proxy: Haproxy;

  beforeAll(async () => {
    requireTool('haproxy', 'apt-get install haproxy (.ci/run installs it)');
    dir = mkdtempSync(join(tmpdir(), 'a4c-proxy-admin-'));
    instancePort = await freePort();
    spawnProcess(process.execPath, [
      join(process.cwd(), 'dist', 'apps', 'alien4cloud', 'main.js'),
      `--server.port=${instancePort}`,
      '--server.host=127.0.0.1',
      `--directories.alien=${join(dir, 'alien')}`,
      '--orchestrators=[]',
    ]);
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${instancePort}/rest/admin/ha/leader`).catch(() => undefined))?.status === 200, {
      timeoutMs: 60_000,
      what: 'the instance acting',
    });
    proxy = await startHaproxy([instancePort]);
    await waitUntil(async () => (await fetch(`${proxy.url}/rest/v1/applications`).catch(() => undefined))?.status === 200, { timeoutMs: 30_000, what: 'HAProxy routing' });
  }, SLOW);
  afterAll(async () => {
    await proxy?.stop();
    await killAllSpawned();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, SLOW);

  it('passes the two probes (GET and HEAD) and the REST API', async () => {
    for (const path of OUTSIDE_PROBES) {
      for (const method of ['GET', 'HEAD']) expect({ method, path, status: (await rawRequest(proxy.port, method, path)).status }).toEqual({ method, path, status: 200 });
    }
    expect((await rawRequest(proxy.port, 'GET', '/rest/v1/applications')).status).toBe(200);
  }, SLOW);

  it('refuses every other admin read that the instance serves', async () => {
    for (const path of OUTSIDE_REFUSED_READS) {
      // the route exists there (409 for the cluster view with HA off, 200 for the others)
      expect({ path, served: (await rawRequest(instancePort, 'GET', path)).status !== 404 }).toEqual({ path, served: true });
      expect({ path, proxied: (await rawRequest(proxy.port, 'GET', path)).status }).toEqual({ path, proxied: 403 });
    }
  }, SLOW);

  it('refuses every admin mutation, and writes to the probes', async () => {
    for (const [method, path] of OUTSIDE_REFUSED_WRITES) {
      expect({ method, path, status: (await rawRequest(proxy.port, method, path)).status }).toEqual({ method, path, status: 403 });
    }
  }, SLOW);

  it('lets no other spelling of an admin route reach one', async () => {
    for (const path of OTHER_SPELLINGS) {
      const answer = await rawRequest(proxy.port, 'GET', path);
      // 403 from HAProxy, or the instance's 404: never an admin answer
      expect({ path, refused: answer.status === 403 || answer.status === 404, admin: /a4c_ha_|"members"|"transitions"|"sessionId"/.test(answer.body) }).toEqual({
        path,
        refused: true,
        admin: false,
      });
    }
  }, SLOW);
});
