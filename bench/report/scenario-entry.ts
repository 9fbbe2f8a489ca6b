import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { killAllSpawned } from '../../test/support/spawned-process.js';
import { formatTable, type TableRow } from './table.js';

/**
 * What a scenario bench (`npm run bench:<kind>`) leaves: its table on stdout, headed with the start, the
 * Node version and the wall time, and its raw runs in bench/results/<start>-<kind>.json (gitignored).
 */
export function reportScenario(kind: string, startedAt: Date, rows: readonly TableRow[], runs: unknown): void {
  const wallSeconds = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0);
  process.stdout.write(`a4c-ha ${kind} bench ${startedAt.toISOString()} · node ${process.version} · wall ${wallSeconds} s\n\n${formatTable(rows)}\n\n`);
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}-${kind}.json`);
  writeFileSync(file, `${JSON.stringify({ startedAt, runs, rows }, null, 2)}\n`);
  process.stdout.write(`results: ${relative(process.cwd(), file)}\n`);
}

/** Wrong command-line input of a scenario bench: reported as its message alone, exit code 2. */
export class BenchArgumentError extends Error {}

/**
 * Runs a scenario bench's `main` when `entryFile` (e.g. `consul-outage.js`) is the script node was started
 * with: bad arguments print their message and exit 2, any other failure prints its stack and exits 1, and
 * every process it spawned is killed either way.
 */
export function runAsEntry(entryFile: string, kind: string, main: () => Promise<void>): void {
  if (!process.argv[1]?.endsWith(entryFile)) return;
  main()
    .catch((error: unknown) => {
      if (error instanceof BenchArgumentError) {
        process.stderr.write(`${kind} bench: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`${kind} bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    })
    .finally(() => killAllSpawned());
}
