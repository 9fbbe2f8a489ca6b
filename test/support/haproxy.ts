import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { spawnProcess, type SpawnedProcess } from './spawned-process.js';
import { waitUntil } from './wait-until.js';

const SAMPLE = join(process.cwd(), 'deploy', 'haproxy', 'haproxy.cfg');

export interface Haproxy {
  readonly url: string;
  readonly port: number;
  readonly process: SpawnedProcess;
  /** Rewrites the server list and reloads without dropping the listener (master-worker SIGUSR2). */
  setBackends(ports: number[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The shipped deploy/haproxy/haproxy.cfg, bound to 127.0.0.1 on a free port, with one server line per
 * given A4C port: the proxy tests and benchmarks go through exactly what operators deploy.
 */
export function renderHaproxyConfig(sample: string, listenPort: number, backendPorts: number[]): string {
  const lines = sample
    .split('\n')
    .filter((line) => !/^\s*server\s/.test(line))
    .map((line) => (/^\s*bind\s/.test(line) ? `    bind 127.0.0.1:${listenPort}` : line));
  const servers = backendPorts.map((port, n) => `    server a4c-${n + 1} 127.0.0.1:${port} check`);
  return [...lines.join('\n').trimEnd().split('\n'), ...servers, ''].join('\n');
}

export async function startHaproxy(backendPorts: number[]): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'a4c-haproxy-'));
  const cfg = join(dir, 'haproxy.cfg');
  const port = await freePort();
  const sample = readFileSync(SAMPLE, 'utf8');
  writeFileSync(cfg, renderHaproxyConfig(sample, port, backendPorts));
  // -W master-worker (reload on SIGUSR2), -db stay in the foreground: the process group is ours to kill
  const child = spawnProcess('haproxy', ['-W', '-db', '-f', cfg]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => (await fetch(`${url}/rest/admin/ha`).catch(() => undefined)) !== undefined, { timeoutMs: 10_000, what: 'haproxy listening' });
  } catch (error) {
    await child.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${child.output()}`, { cause: error });
  }
  return {
    url,
    port,
    process: child,
    async setBackends(ports) {
      writeFileSync(cfg, renderHaproxyConfig(sample, port, ports));
      child.signal('SIGUSR2');
    },
    async stop() {
      await child.stop('SIGTERM', 5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
