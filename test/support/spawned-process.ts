import { spawn, type ChildProcess } from 'node:child_process';
import { StopWaiting, waitUntil } from './wait-until.js';

/** A child process in its own process group, with its output kept for failure messages. */
export interface SpawnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves with the first stdout line that parses as JSON (the "ready" line of our servers). */
  readyLine(timeoutMs?: number): Promise<Record<string, unknown>>;
  signal(sig: NodeJS.Signals): void;
  /** Sends `sig` and waits for exit; SIGKILLs the group if it outlives `timeoutMs`. */
  stop(sig?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited(): Promise<number | null>;
  readonly hasExited: boolean;
}

const alive = new Set<SpawnedProcess>();

/** Kills every process group still running: for afterAll hooks and crashes in the middle of a test. */
export async function killAllSpawned(): Promise<void> {
  await Promise.all([...alive].map((p) => p.stop('SIGKILL')));
}

export function spawnProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): SpawnedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so we kill it and its children by pgid, never by name
  });
  let out = '';
  let exitCode: number | null | undefined;
  const exitPromise = new Promise<number | null>((resolve) => {
    child.on('exit', (code, sig) => {
      exitCode = code ?? (sig ? null : code);
      resolve(code);
    });
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));

  const groupKill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  const handle: SpawnedProcess = {
    child,
    pid: child.pid!,
    output: () => out,
    get hasExited() {
      return exitCode !== undefined;
    },
    exited: () => exitPromise,
    signal: (sig) => {
      try {
        process.kill(child.pid!, sig);
      } catch {
        /* already gone */
      }
    },
    async readyLine(timeoutMs = 30_000) {
      return waitUntil(
        () => {
          if (exitCode !== undefined) throw new StopWaiting(`process exited (${exitCode}) before ready:\n${out}`);
          for (const line of out.split('\n')) {
            const trimmed = line.trim();
            if (!trimmed.startsWith('{')) continue;
            try {
              return JSON.parse(trimmed) as Record<string, unknown>;
            } catch {
              /* not the ready line */
            }
          }
          return undefined;
        },
        { timeoutMs, what: `ready line of ${command} ${args.join(' ')}` },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n--- output ---\n${out}`);
      });
    },
    async stop(sig = 'SIGTERM', timeoutMs = 10_000) {
      if (exitCode === undefined) {
        if (sig === 'SIGKILL') groupKill(sig);
        else handle.signal(sig);
        const timer = setTimeout(() => groupKill('SIGKILL'), timeoutMs);
        await exitPromise;
        clearTimeout(timer);
      }
      groupKill('SIGKILL'); // children the process may have left behind
      alive.delete(handle);
      return exitCode ?? null;
    },
  };
  alive.add(handle);
  return handle;
}
