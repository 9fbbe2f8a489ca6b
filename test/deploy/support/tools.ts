import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

/**
 * Finds a command-line tool the deploy specs need, or throws telling how to install it: these specs
 * never skip silently (.ci/run installs haproxy and nginx-light; systemd-analyze comes with systemd).
 */
export function requireTool(command: string, install: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) throw new Error(`${command} is not installed: ${install}`);
  return path;
}

export function hasTool(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** Runs a tool to completion (bounded), with its output for the failure message. */
export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The command line and everything it printed, for failure messages. */
  output: string;
}

export function runTool(command: string, args: string[], timeoutMs = 30_000): ToolRun {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  return { status: result.status, stdout, stderr, output: `$ ${command} ${args.join(' ')}\n${stdout}${stderr}${result.error ? String(result.error) : ''}` };
}
