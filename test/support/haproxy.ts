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
 * The shipped deploy/haproxy/haproxy.cfg, bound to 127.0.0.1 on a free port, with the sample's server
 * lines repeated once per given A4C port: the proxy tests and benchmarks go through exactly what
 * operators deploy. The sample's `a4c-1` lines are the pattern (name, `track` target and options kept,
 * `a4c-1` renumbered, address replaced); its other server lines are dropped.
 */
export function renderHaproxyConfig(sample: string, listenPort: number, backendPorts: number[]): string {
  const out: string[] = [];
  for (const line of sample.trimEnd().split('\n')) {
    if (/^\s*bind\s/.test(line)) out.push(`    bind 127.0.0.1:${listenPort}`);
    else if (!/^\s*server\s/.test(line)) out.push(line);
    else if (/^\s*server\s+a4c-1(\s|-)/.test(line)) {
      backendPorts.forEach((port, n) => out.push(line.replace(/\S+:\d+/, `127.0.0.1:${port}`).replace(/\ba4c-1\b/g, `a4c-${n + 1}`)));
    }
  }
  return [...out, ''].join('\n');
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
