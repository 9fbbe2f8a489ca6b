import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { freePort } from '../support/free-port.js';
import { spawnProcess, type SpawnedProcess } from '../support/spawned-process.js';
import { waitUntil } from '../support/wait-until.js';
import { renderConsulTemplate, type ConsulView } from './support/go-template.js';
import { OTHER_SPELLINGS, OUTSIDE_PROBES, OUTSIDE_REFUSED_READS, OUTSIDE_REFUSED_WRITES, rawRequest } from './support/admin-paths.js';
import { requireTool, runTool } from './support/tools.js';

const NGINX_DIR = join(process.cwd(), 'deploy', 'nginx');
const TEMPLATE = readFileSync(join(NGINX_DIR, 'a4c.conf.ctmpl'), 'utf8');
const LEADER_KEY = 'service/a4c/leader';

const leaderValue = (id: string, address: string) =>
  JSON.stringify({ id, address, url: `http://${address}`, since: '2026-01-01T00:00:00.000Z', term: 7 });
const instance = (n: number, status: 'passing' | 'critical' = 'passing') => ({
  id: `a4c-host${n}-8088`,
  node: `a4c-host${n}`,
  address: `10.0.0.1${n}`,
  port: 8088,
  status,
});
const view = (kv: ConsulView['kv'], statuses: Array<'passing' | 'critical'> = ['passing', 'passing', 'passing']): ConsulView => ({
  kv,
  services: { a4c: statuses.map((status, i) => instance(i + 1, status)) },
});
const held = (id = 'host2-8088', address = '10.0.0.12:8088') => ({ [LEADER_KEY]: { value: leaderValue(id, address), session: 'f5c8-session' } });

/** The rendered upstream: primary and backup servers, or null when it renders the maintenance 503. */
function routedTo(rendered: string): { primary: string[]; backup: string[] } | null {
  const block = /upstream a4c \{([^}]*)\}/.exec(rendered)?.[1] ?? null;
  const maintenance = /location \/ \{\s*return 503;\s*\}/.test(rendered);
  expect(block === null).toBe(maintenance); // exactly one of the two shapes
  if (block === null) return null;
  const servers = [...block.matchAll(/server (\S+) max_fails=1 fail_timeout=2s( backup)?;/g)];
  return { primary: servers.filter((m) => !m[2]).map((m) => m[1]!), backup: servers.filter((m) => m[2]).map((m) => m[1]!) };
}

const ALL = ['10.0.0.11:8088', '10.0.0.12:8088', '10.0.0.13:8088'];

describe('deploy/nginx/a4c.conf.ctmpl (consul-template), rendered by the test renderer', () => {
  it('routes to the leader first, the other passing instances as backups, when the key is held by a passing instance', () => {
    const rendered = renderConsulTemplate(TEMPLATE, view(held()));
    expect(routedTo(rendered)).toEqual({ primary: ['10.0.0.12:8088'], backup: ['10.0.0.11:8088', '10.0.0.13:8088'] });
    expect(rendered).toContain('# leader: host2-8088 at 10.0.0.12:8088');
    expect(rendered).toContain('proxy_pass http://a4c;');
    // retry only what cannot have been processed: never non_idempotent
    expect(rendered).toContain('proxy_next_upstream error timeout;');
    expect(rendered).not.toMatch(/proxy_next_upstream [^;]*non_idempotent/);
  });

  it.each<[string, ConsulView, string[]]>([
    ['the key was never written (fresh cluster)', view({}), ALL],
    ['the key was released (value cleared, no session)', view({ [LEADER_KEY]: { value: '' } }), ALL],
    ['Consul freed the key after a crash (old value kept, no session)', view({ [LEADER_KEY]: { value: leaderValue('host2-8088', '10.0.0.12:8088') } }, ['passing', 'critical', 'passing']), ['10.0.0.11:8088', '10.0.0.13:8088']],
    ['the session was cleared by a TTL expiry while the instance is still passing', view({ [LEADER_KEY]: { value: leaderValue('host2-8088', '10.0.0.12:8088') } }), ALL],
    ["the leader's check turned critical before Consul invalidated its session", view(held(), ['passing', 'critical', 'passing']), ['10.0.0.11:8088', '10.0.0.13:8088']],
    ['the key names an instance that is not registered', view(held('elsewhere-8088', '10.9.9.9:8088')), ALL],
  ])('sends to any passing instance (they hold and forward) when %s', (_case, consul, expected) => {
    const rendered = renderConsulTemplate(TEMPLATE, consul);
    expect(routedTo(rendered)).toEqual({ primary: expected, backup: [] });
    expect(rendered).toContain('# no leader known');
  });

  it('renders the 503 maintenance page only when no instance passes its check', () => {
    const rendered = renderConsulTemplate(TEMPLATE, view(held(), ['critical', 'critical', 'critical']));
    expect(routedTo(rendered)).toBeNull();
    expect(rendered).toContain('# no passing instance');
    expect(rendered).not.toContain('proxy_pass');
    expect(rendered).toContain('error_page 502 503 504 =503 /a4c-maintenance.html;');
  });
});

describe('deploy/nginx: the full configuration under nginx -t and in a live run', () => {
  let dir: string;
  let nginx: string;

  beforeAll(() => {
    nginx = requireTool('nginx', 'apt-get install nginx-light (.ci/run installs it)');
    dir = mkdtempSync(join(tmpdir(), 'a4c-nginx-'));
    // run as root, nginx's workers drop to `nobody`: they must be able to read the maintenance page
    chmodSync(dir, 0o755);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * deploy/nginx/nginx.conf with every absolute path moved under `root`, so nginx -t touches nothing in
   * /etc, /var or /run; the `user` line goes too (the test must not depend on www-data existing).
   */
  function installUnder(root: string, rendered: string): string {
    for (const sub of ['conf.d', 'log', 'lib', 'run', 'share']) mkdirSync(join(root, sub), { recursive: true });
    const relocate = (text: string) =>
      text
        .replaceAll('/etc/nginx/', `${root}/`)
        .replaceAll('/var/log/nginx/', `${root}/log/`)
        .replaceAll('/var/lib/nginx/', `${root}/lib/`)
        .replaceAll('/run/nginx.pid', `${root}/run/nginx.pid`)
        .replaceAll('/usr/share/a4c-proxy', `${root}/share`);
    const main = relocate(readFileSync(join(NGINX_DIR, 'nginx.conf'), 'utf8')).replace(/^user\s+[^;]+;$/m, '');
    const leftovers = main.match(/\s(\/(?:etc|var|run|usr)\/\S*)/g);
    expect(leftovers).toBeNull();
    writeFileSync(join(root, 'nginx.conf'), main);
    writeFileSync(join(root, 'conf.d', 'a4c.conf'), relocate(rendered));
    copyFileSync(join(NGINX_DIR, 'maintenance.html'), join(root, 'share', 'a4c-maintenance.html'));
    return join(root, 'nginx.conf');
  }

  /** nginx -t on a relocated install; returns the config path. */
  function checked(name: string, rendered: string): string {
    const root = join(dir, name.replace(/\W+/g, '-'));
    const conf = installUnder(root, rendered);
    const result = runTool(nginx, ['-t', '-p', `${root}/`, '-e', join(root, 'log', 'error.log'), '-c', conf]);
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringContaining('test is successful') });
    return conf;
  }

  /** Runs nginx in the foreground on 127.0.0.1:port with a rendered config; the caller stops it. */
  async function serve(name: string, rendered: string, port: number): Promise<SpawnedProcess> {
    const conf = checked(name, rendered.replace('listen 80 default_server;', `listen 127.0.0.1:${port} default_server;`));
    const root = join(dir, name.replace(/\W+/g, '-'));
    const child = spawnProcess(nginx, ['-p', `${root}/`, '-e', join(root, 'log', 'error.log'), '-c', conf, '-g', 'daemon off;']);
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) !== undefined, { timeoutMs: 10_000, what: `nginx on ${port}` }).catch(
      async (error: Error) => {
        await child.stop('SIGKILL');
        throw new Error(`${error.message}\n${child.output()}`);
      },
    );
    return child;
  }

  it('serves the maintenance page with 503 + Retry-After when no instance passes its check', async () => {
    const port = await freePort();
    const proxy = await serve('live-no-leader', renderConsulTemplate(TEMPLATE, view({}, ['critical', 'critical', 'critical'])), port);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/rest/v1/applications`);
      expect({ status: response.status, retryAfter: response.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
      expect(await response.text()).toContain('electing a new leader');
      // the probes answer the same 503 (monitoring sees "no leader", not a refusal); the rest of /rest/admin/ stays refused
      for (const path of OUTSIDE_PROBES) expect({ path, status: (await rawRequest(port, 'GET', path)).status }).toEqual({ path, status: 503 });
      expect((await rawRequest(port, 'GET', '/rest/admin/ha/cluster')).status).toBe(403);
    } finally {
      await proxy.stop('SIGQUIT', 5_000);
    }
  });

  it('proxies to the leader, passes its own 503 + Retry-After through, and covers a dead leader with the page', async () => {
    const seen: string[] = [];
    const leader: Server = createServer((request, response) => {
      seen.push(request.url ?? '');
      if (request.url === '/demoting') {
        response.writeHead(503, { 'Retry-After': '5', 'Content-Type': 'application/json' }).end('{"statusCode":503,"message":"this instance is not the active leader"}');
      } else response.writeHead(200, { 'Content-Type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => leader.listen(0, '127.0.0.1', resolve));
    const leaderPort = (leader.address() as { port: number }).port;
    const port = await freePort();
    // only the leader (on 127.0.0.1) passes: nginx never sends anything to another address
    const consul = view({ [LEADER_KEY]: { value: leaderValue('host1-8088', `127.0.0.1:${leaderPort}`), session: 's1' } }, ['passing', 'critical', 'critical']);
    consul.services.a4c[0] = { ...instance(1), address: '127.0.0.1', port: leaderPort };
    const proxy = await serve('live-leader', renderConsulTemplate(TEMPLATE, consul), port);
    seen.length = 0; // forget the readiness probe
    try {
      const ok = await fetch(`http://127.0.0.1:${port}/rest/v1/applications`);
      expect({ status: ok.status, body: await ok.text() }).toEqual({ status: 200, body: '[]' });
      const demoting = await fetch(`http://127.0.0.1:${port}/demoting`);
      expect({ status: demoting.status, retryAfter: demoting.headers.get('retry-after'), body: await demoting.text() }).toEqual({
        status: 503,
        retryAfter: '5',
        body: expect.stringContaining('not the active leader'),
      });
      expect((await fetch(`http://127.0.0.1:${port}/rest/admin/ha/step-down`, { method: 'POST' })).status).toBe(403);
      for (const method of ['POST', 'PUT', 'DELETE']) expect((await fetch(`http://127.0.0.1:${port}/rest/admin/anything`, { method })).status).toBe(403);
      expect((await fetch(`http://127.0.0.1:${port}/rest/admin/health`)).status).toBe(200);
      // from outside only the two probes of /rest/admin/, read-only; nothing else of it reaches an instance
      for (const path of OUTSIDE_PROBES) expect({ path, status: (await rawRequest(port, 'HEAD', path)).status }).toEqual({ path, status: 200 });
      for (const path of [...OUTSIDE_REFUSED_READS, ...OTHER_SPELLINGS]) expect({ path, status: (await rawRequest(port, 'GET', path)).status }).toEqual({ path, status: 403 });
      for (const [method, path] of OUTSIDE_REFUSED_WRITES) expect({ method, path, status: (await rawRequest(port, method, path)).status }).toEqual({ method, path, status: 403 });
      expect(seen).toEqual(['/rest/v1/applications', '/demoting', '/rest/admin/health', '/rest/admin/health', '/rest/admin/ha/leader']);
      await new Promise<void>((resolve) => leader.close(() => resolve()));
      const dead = await fetch(`http://127.0.0.1:${port}/rest/v1/applications`);
      expect({ status: dead.status, retryAfter: dead.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
      expect(await dead.text()).toContain('electing a new leader');
    } finally {
      await proxy.stop('SIGQUIT', 5_000);
      if (leader.listening) leader.close();
    }
  });

  it.each<[string, ConsulView]>([
    ['a leader', view(held())],
    ['no leader', view({ [LEADER_KEY]: { value: '' } })],
    ['no passing instance', view({}, ['critical', 'critical', 'critical'])],
  ])('accepts the configuration rendered with %s', (name, consul) => {
    checked(name, renderConsulTemplate(TEMPLATE, consul));
  });

  it('rejects a broken render (the check has teeth)', () => {
    const root = join(dir, 'broken');
    const conf = installUnder(root, renderConsulTemplate(TEMPLATE, view(held())).replace('proxy_next_upstream_tries 3;', 'proxy_next_upstream_tries;'));
    const result = runTool(nginx, ['-t', '-p', `${root}/`, '-e', join(root, 'log', 'error.log'), '-c', conf]);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('invalid number of arguments in "proxy_next_upstream_tries" directive');
  });
});
