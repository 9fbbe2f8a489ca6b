import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { spawnProcess, type SpawnedProcess } from './spawned-process.js';
import { waitUntil } from './wait-until.js';

/**
 * A real single-node Elasticsearch 8.19 (tools/elasticsearch) for integration and e2e tests.
 *
 * The JVM runs in its own process group on a free 127.0.0.1 port. Data survives `stop()`, `kill()` and
 * `restart()` (so a test can check recovery); `dispose()` ends the node and removes the data directory
 * when this helper created it. Call `dispose()` (or `disposeAllElasticsearchNodes()`) in afterAll.
 */
export interface ElasticsearchNode {
  /** http://127.0.0.1:PORT, stable across restarts. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** pid of the current JVM (changes on restart). */
  readonly pid: number;
  readonly running: boolean;
  /** SIGTERM and wait for the JVM to exit (it closes the node first); resolves with its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL the whole process group and wait: a crash, no shutdown hook runs. */
  kill(): Promise<void>;
  /**
   * Stops the node if it is running, then starts it again on the same port and data directory. Like the
   * first start it resolves once HTTP answers; existing shards may still be recovering then (requests to
   * them answer 503), so wait with waitForClusterStatus() when the test needs them. We do not wait for
   * that here: a test may restart a node that it made red on purpose.
   */
  restart(): Promise<void>;
  /** Ends the node (SIGTERM, SIGKILL after a grace period) and removes the data dir if we created it. */
  dispose(): Promise<void>;
  /** stdout+stderr of the current JVM, for failure messages. */
  output(): string;
}

export interface StartElasticsearchOptions {
  /** Kept as is; when absent a temp dir is created and removed by dispose(). */
  dataDir?: string;
  /** Defaults to a free port on 127.0.0.1. */
  port?: number;
  clusterName?: string;
  /** Deadline for the node to answer HTTP, excluding a first Maven build. */
  startTimeoutMs?: number;
}

const here = dirname(fileURLToPath(import.meta.url));
// test/support -> repository root; also right from dist-test/test/support once compiled.
const repoRoot = [resolve(here, '..', '..'), resolve(here, '..', '..', '..')].find((dir) => existsSync(join(dir, 'tools', 'elasticsearch', 'start.mjs')));
const execFileAsync = promisify(execFile);

const live = new Set<ElasticsearchNode>();
const ownedDirs = new Set<string>();

// Last resort when a test run dies without reaching afterAll: no JVM or temp dir must outlive it. Only
// synchronous work is possible in an 'exit' handler.
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const node of live) {
      try {
        process.kill(-node.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** The java command line, from start.mjs (which builds the launcher with Maven when needed). */
async function launchCommand(port: number, dataDir: string, clusterName?: string): Promise<{ command: string; args: string[] }> {
  if (!repoRoot) throw new Error('tools/elasticsearch/start.mjs not found above ' + here);
  const args = [join(repoRoot, 'tools', 'elasticsearch', 'start.mjs'), '--print-command', '--port', String(port), '--data', dataDir];
  if (clusterName) args.push('--cluster-name', clusterName);
  // Async so a first Maven build (tens of seconds on a cold cache) does not block the event loop.
  const { stdout } = await execFileAsync(process.execPath, args, { maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { command: string; args: string[] };
}

export async function startElasticsearchNode(options: StartElasticsearchOptions = {}): Promise<ElasticsearchNode> {
  installExitHook();
  const ownsDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'a4c-es-'));
  if (ownsDir) ownedDirs.add(dataDir);
  const removeOwnedDir = () => {
    if (!ownsDir) return;
    rmSync(dataDir, { recursive: true, force: true });
    ownedDirs.delete(dataDir);
  };
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;

  let port: number;
  let launch: { command: string; args: string[] };
  try {
    port = options.port ?? (await freePort());
    launch = await launchCommand(port, dataDir, options.clusterName);
  } catch (error) {
    removeOwnedDir();
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  let proc: SpawnedProcess | undefined;

  const boot = async (): Promise<void> => {
    const p = spawnProcess(launch.command, launch.args);
    proc = p;
    try {
      const ready = await readyOrExit(p, startTimeoutMs);
      if (ready.ready !== true || ready.port !== port) throw new Error(`unexpected ready line ${JSON.stringify(ready)}`);
      // The launcher prints the line once HTTP answered, but check from this side too: that is what
      // the tests depend on.
      await waitUntil(async () => (await httpOk(`${url}/`)) || undefined, { timeoutMs: startTimeoutMs, intervalMs: 100, what: `Elasticsearch at ${url}` });
    } catch (error) {
      await p.stop('SIGKILL');
      throw new Error(`test Elasticsearch did not start: ${(error as Error).message}\n--- output ---\n${p.output()}`, { cause: error });
    }
  };

  const node: ElasticsearchNode = {
    url,
    port,
    dataDir,
    get pid() {
      return proc?.pid ?? -1;
    },
    get running() {
      return proc !== undefined && !proc.hasExited;
    },
    output: () => proc?.output() ?? '',
    async stop() {
      if (!proc) return null;
      // A clean close takes well under a second; the grace period only bounds a hung JVM.
      return proc.stop('SIGTERM', 30_000);
    },
    async kill() {
      if (proc) await proc.stop('SIGKILL');
    },
    async restart() {
      if (proc && !proc.hasExited) await proc.stop('SIGTERM', 30_000);
      await boot();
    },
    async dispose() {
      try {
        if (proc) await proc.stop('SIGTERM', 15_000);
      } finally {
        live.delete(node);
        removeOwnedDir();
      }
    },
  };

  try {
    await boot();
  } catch (error) {
    removeOwnedDir();
    throw error;
  }
  live.add(node);
  return node;
}

/** For afterAll hooks: disposes every node this process started and has not disposed yet. */
export async function disposeAllElasticsearchNodes(): Promise<void> {
  await Promise.all([...live].map((node) => node.dispose()));
}

/**
 * The launcher's JSON ready line. Fails as soon as the JVM exits (e.g. the port was taken), rather than
 * at the deadline: waitUntil treats a throwing probe as "not yet", so the exit is a value here.
 */
async function readyOrExit(p: SpawnedProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  const result = await waitUntil(
    () => {
      for (const line of p.output().split('\n')) {
        const trimmed = line.trim();
        if (!trimmed.startsWith('{"ready"')) continue;
        try {
          return { ready: JSON.parse(trimmed) as Record<string, unknown> };
        } catch {
          /* a partial line: not complete yet */
        }
      }
      return p.hasExited ? { exited: true as const } : undefined;
    },
    { timeoutMs, intervalMs: 50, what: 'the ready line of the test Elasticsearch' },
  );
  if ('exited' in result) throw new Error('the JVM exited before it was ready');
  return result.ready;
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export type ClusterStatus = 'green' | 'yellow' | 'red';

export async function clusterStatus(url: string): Promise<ClusterStatus> {
  const response = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { status?: ClusterStatus };
  // _cluster/health answers 200 when red too (408 only with wait_for_* timeouts), so read the body.
  if (!body.status) throw new Error(`no status in _cluster/health: ${JSON.stringify(body)}`);
  return body.status;
}

/** Polls _cluster/health until its status is one of `statuses`. */
export async function waitForClusterStatus(url: string, statuses: ClusterStatus[], timeoutMs = 30_000): Promise<ClusterStatus> {
  return waitUntil(
    async () => {
      const status = await clusterStatus(url);
      return statuses.includes(status) ? status : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `cluster status ${statuses.join('|')} at ${url}` },
  );
}

/**
 * Turns the cluster red: an index whose only primary shard may be allocated to no node (a node named
 * "nowhere"), so it stays unassigned. Waits until _cluster/health reports red.
 */
export async function makeClusterRed(url: string, indexName: string, timeoutMs = 30_000): Promise<void> {
  // wait_for_active_shards=0: by default index creation waits (30 s) for a primary that never starts.
  const response = await fetch(`${url}/${encodeURIComponent(indexName)}?wait_for_active_shards=0`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      settings: {
        'index.number_of_shards': 1,
        'index.number_of_replicas': 0,
        'index.routing.allocation.require._name': 'nowhere',
      },
    }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`creating index ${indexName} failed: ${response.status} ${text}`);
  await waitForClusterStatus(url, ['red'], timeoutMs);
}

/** Undoes makeClusterRed: deletes the index, waits for green or yellow (yellow is healthy on one node). */
export async function makeClusterGreen(url: string, indexName: string, timeoutMs = 30_000): Promise<void> {
  const response = await fetch(`${url}/${encodeURIComponent(indexName)}`, { method: 'DELETE', signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  if (!response.ok && response.status !== 404) throw new Error(`deleting index ${indexName} failed: ${response.status} ${text}`);
  await waitForClusterStatus(url, ['green', 'yellow'], timeoutMs);
}
