import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.js';
import { renderHaproxyConfig } from '../../test/support/haproxy.js';
import { spawnProcess, type SpawnedProcess } from '../../test/support/spawned-process.js';
import { waitUntil } from '../../test/support/wait-until.js';
import type { Cleanup } from './cleanup.js';

/** Response header naming the server (`a4c-<n>`) that answered, so we can tell the new leader's 2xx. */
export const SERVED_BY = 'x-a4c-served-by';

/**
 * The instance behind a server of the shipped config: `a4c-<n>` (routed while it acts) or `a4c-<n>-any`
 * (the low-weight server used while no instance acts, which holds and forwards).
 */
export function instanceOfServer(server: string | null): string | null {
  return server?.replace(/-any$/, '') ?? null;
}

export interface TaggedHaproxy {
  readonly url: string;
  readonly pid: number;
  readonly process: SpawnedProcess;
  stop(): Promise<void>;
}

export function haproxyInstalled(): boolean {
  return spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

/**
 * The shipped deploy/haproxy/haproxy.cfg (rendered by test/support/haproxy.ts exactly as the e2e suite
 * uses it) plus one line: a response header with the name of the server that answered. Nothing that
 * affects routing or health checking changes, so the timings are those of the deployed configuration.
 */
export function withServedByHeader(config: string): string {
  return config.replace(/^(backend a4c_leader\s*)$/m, `$1\n    # bench only: who answered (server names a4c-1..N)\n    http-response set-header ${SERVED_BY} %s`);
}

export async function startTaggedHaproxy(repoRoot: string, backendPorts: number[], cleanup: Cleanup): Promise<TaggedHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'a4c-bench-haproxy-'));
  cleanup.trackDir(dir);
  const cfg = join(dir, 'haproxy.cfg');
  const port = await freePort();
  const sample = readFileSync(join(repoRoot, 'deploy', 'haproxy', 'haproxy.cfg'), 'utf8');
  const config = withServedByHeader(renderHaproxyConfig(sample, port, backendPorts));
  if (!config.includes(SERVED_BY)) throw new Error('deploy/haproxy/haproxy.cfg has no "backend a4c_leader" section any more');
  writeFileSync(cfg, config);
  // -W master-worker, -db foreground: one process group that we own and kill by pid
  const child = spawnProcess('haproxy', ['-W', '-db', '-f', cfg]);
  cleanup.trackProcess(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await child.stop('SIGTERM', 5_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(async () => (await fetch(`${url}/`).catch(() => undefined)) !== undefined, { timeoutMs: 10_000, what: 'haproxy listening' });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`, { cause: error });
  }
  return { url, pid: child.pid, process: child, stop };
}
