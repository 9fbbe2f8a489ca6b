import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderConsulTemplate, type ConsulView } from '../deploy/support/go-template.js';
import { freePort } from './free-port.js';
import { spawnProcess, type SpawnedProcess } from './spawned-process.js';
import { waitUntil } from './wait-until.js';

const NGINX_DIR = join(process.cwd(), 'deploy', 'nginx');
const NGINX = '/usr/sbin/nginx';

/** What consul-template would see: the leader key and which instances pass their check. */
export interface NginxBackends {
  leader: { id: string; port: number } | null;
  /** Passing instances: id and port on 127.0.0.1. */
  passing: Array<{ id: string; port: number }>;
}

export interface Nginx {
  readonly url: string;
  readonly process: SpawnedProcess;
  /** nginx's error log so far (upstream errors name the instance and the cause). */
  errorLog(): string;
  /** Renders the shipped template for this state and reloads (SIGHUP) when it changed, as consul-template does. */
  render(backends: NginxBackends): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The shipped deploy/nginx sample (nginx.conf + the consul-template template, rendered by the test
 * renderer) run by the real nginx as a test process: its own prefix and temp dirs, 127.0.0.1 on a free
 * port, paths relocated so nothing outside its directory is touched.
 */
export async function startNginx(backends: NginxBackends): Promise<Nginx> {
  const root = mkdtempSync(join(tmpdir(), 'a4c-nginx-'));
  chmodSync(root, 0o755); // run as root, nginx's workers drop to nobody: they must read the page
  for (const sub of ['conf.d', 'log', 'lib', 'run', 'share']) mkdirSync(join(root, sub), { recursive: true });
  const port = await freePort();
  const relocate = (text: string) =>
    text
      .replaceAll('/etc/nginx/', `${root}/`)
      .replaceAll('/var/log/nginx/', `${root}/log/`)
      .replaceAll('/var/lib/nginx/', `${root}/lib/`)
      .replaceAll('/run/nginx.pid', `${root}/run/nginx.pid`)
      .replaceAll('/usr/share/a4c-proxy', `${root}/share`);
  const conf = join(root, 'nginx.conf');
  writeFileSync(conf, relocate(readFileSync(join(NGINX_DIR, 'nginx.conf'), 'utf8')).replace(/^user\s+[^;]+;$/m, '').replace('worker_processes auto;', 'worker_processes 1;'));
  copyFileSync(join(NGINX_DIR, 'maintenance.html'), join(root, 'share', 'a4c-maintenance.html'));
  const template = readFileSync(join(NGINX_DIR, 'a4c.conf.ctmpl'), 'utf8');
  const site = join(root, 'conf.d', 'a4c.conf');
  let current = '';
  const write = (b: NginxBackends): boolean => {
    const rendered = relocate(renderConsulTemplate(template, viewOf(b))).replace('listen 80 default_server;', `listen 127.0.0.1:${port} default_server;`);
    if (rendered === current) return false;
    current = rendered;
    writeFileSync(site, rendered);
    return true;
  };
  write(backends);
  const child = spawnProcess(NGINX, ['-p', `${root}/`, '-e', join(root, 'log', 'error.log'), '-c', conf, '-g', 'daemon off;']);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => (await fetch(`${url}/rest/admin/ha`).catch(() => undefined)) !== undefined, { timeoutMs: 10_000, what: 'nginx listening' });
  } catch (error) {
    await child.stop('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${child.output()}`, { cause: error });
  }
  return {
    url,
    process: child,
    errorLog: () => {
      try {
        return readFileSync(join(root, 'log', 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async render(b) {
      if (write(b)) child.signal('SIGHUP');
    },
    async stop() {
      await child.stop('SIGQUIT', 5_000);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function viewOf(b: NginxBackends): ConsulView {
  const kv: ConsulView['kv'] = b.leader
    ? { 'service/a4c/leader': { value: JSON.stringify({ id: b.leader.id, address: '127.0.0.1', url: `http://127.0.0.1:${b.leader.port}`, since: '', term: 1 }), session: 'test' } }
    : {};
  return { kv, services: { a4c: b.passing.map((p) => ({ id: `a4c-${p.id}`, node: p.id, address: '127.0.0.1', port: p.port, status: 'passing' as const })) } };
}
