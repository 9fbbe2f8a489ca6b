import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, relative } from 'node:path';
import type { BenchOptions } from '../bench-options.js';
import type { AgentLossResult } from '../scenarios/agent-loss.js';
import type { ConfigResult } from '../scenarios/config-run.js';
import type { TableRow } from './table.js';
import { timelineSvg } from './timeline-svg.js';

export interface BenchResults {
  startedAt: Date;
  finishedAt: Date;
  options: BenchOptions;
  configs: ConfigResult[];
  /** Faults of the leader's own Consul agent (bench/scenarios/agent-loss.ts), when run. */
  agentLosses?: AgentLossResult[];
  rows: TableRow[];
  header: string;
}

/**
 * bench/results/<stamp>.json (every raw measurement, the table rows, the machine) and
 * bench/results/<stamp>-failover.svg (the captured failover). bench/results/ is gitignored.
 */
export function writeResults(repoRoot: string, results: BenchResults): string[] {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.toISOString().replace(/[:.]/g, '-');
  const json = join(dir, `${stamp}.json`);
  const written = [json];
  const { configs, ...rest } = results;
  const machine = { nproc: availableParallelism(), cpu: cpus()[0]?.model, platform: process.platform, node: process.version };
  writeFileSync(json, `${JSON.stringify({ ...rest, machine, wallSeconds: (results.finishedAt.getTime() - results.startedAt.getTime()) / 1000, configs: configs.map(({ timeline: _timeline, ...c }) => c) }, null, 2)}\n`);
  const timeline = configs.find((c) => c.timeline)?.timeline;
  if (timeline) {
    const svg = join(dir, `${stamp}-failover.svg`);
    writeFileSync(svg, timelineSvg(timeline));
    written.push(svg);
  }
  return written.map((file) => relative(repoRoot, file));
}
