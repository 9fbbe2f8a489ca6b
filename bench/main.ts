// `npm run bench`: failover, handover, activation, memory and Consul cost of the HA plugin on this
// machine, with real processes (consul-dev, HAProxy, N servers from dist/). See bench/README.md.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { killAllSpawned } from '../test/support/spawned-process.js';
import { agentLossRuns, configurations, parseBenchArgs, type BenchOptions } from './bench-options.js';
import { Cleanup } from './harness/cleanup.js';
import { haproxyInstalled } from './harness/tagged-haproxy.js';
import { Progress } from './report/progress.js';
import { resultRows } from './report/results-table.js';
import { formatTable } from './report/table.js';
import { writeResults } from './report/write-results.js';
import { agentLossRows, runAgentLosses, type AgentLossResult } from './scenarios/agent-loss.js';
import { runConfig, type ConfigResult } from './scenarios/config-run.js';
import { forwardingRows, runForwardingFailovers, writeForwardingResults, type ForwardingRun } from './scenarios/forwarding-failover.js';

async function main(options: BenchOptions, cleanup: Cleanup, progress: Progress): Promise<void> {
  if (!haproxyInstalled()) throw new Error('haproxy is not installed: the bench measures failover through it');
  const repoRoot = process.cwd();
  const startedAt = new Date();
  const loadAtStart = loadavg()[0]!.toFixed(2); // other work on the machine skews every figure: say how busy it was
  const budgetEnd = startedAt.getTime() + options.budgetMinutes * 60_000;
  const agentRuns = agentLossRuns(options);
  const results = await runPlan(repoRoot, options, budgetEnd, cleanup, progress, agentRuns.reduce((sum, r) => sum + r.weight, 0));
  if (!results) return; // Ctrl-C: the signal handler is stopping everything and exits
  const agentLosses: AgentLossResult[] = [];
  for (const [n, run] of agentRuns.entries()) {
    const remainingWeight = agentRuns.slice(n).reduce((sum, r) => sum + r.weight, 0);
    const deadlineMs = Date.now() + ((budgetEnd - Date.now()) * run.weight) / remainingWeight;
    const label = `[agents ${n + 1}/${agentRuns.length}] N=${run.size} period=${run.period}s`;
    const result = await runAgentLosses({ repoRoot, size: run.size, period: run.period, rounds: options.agentLosses, deadlineMs, label }, cleanup, progress);
    if (cleanup.disposing) return;
    agentLosses.push(result);
    progress.log(`${label}: ${result.losses.map((l) => `${l.fault} ${(l.singleLeaderActsMs / 1000).toFixed(2)} s`).join(', ')}`);
  }
  const forwarding: ForwardingRun[] = [];
  for (const proxy of options.forwarding > 0 ? (['haproxy', 'nginx'] as const) : []) {
    if (cleanup.disposing) return;
    progress.log(`[forwarding] ${options.forwarding} x SIGKILL, SIGTERM and step-down under 20 GET/s + 2 POST/s through ${proxy}`);
    await runForwardingFailovers(proxy, options.forwarding).then(
      (run) => forwarding.push(run),
      (error: Error) => progress.log(`[forwarding] ${proxy}: ${error.message.split('\n')[0]}`), // e.g. nginx not installed
    );
  }
  progress.done();
  const rows = [...resultRows(results), ...agentLossRows(agentLosses), ...forwardingRows(forwarding)];
  const finishedAt = new Date();
  const header = `a4c-ha bench ${startedAt.toISOString()} · nproc ${availableParallelism()} · ${cpus()[0]?.model ?? 'cpu?'} · node ${process.version} · wall ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s · load ${loadAtStart} -> ${loadavg()[0]!.toFixed(2)}`;
  process.stdout.write(`${header}\n\n${formatTable(rows)}\n\n`);
  const files = writeResults(repoRoot, { startedAt, finishedAt, options, configs: results, agentLosses, rows, header });
  if (forwarding.length > 0) files.push(...writeForwardingResults(repoRoot, startedAt, forwarding, forwardingRows(forwarding)));
  process.stdout.write(`results: ${files.join(', ')}\n`);
}

/** Every configuration in turn, each within its share of the budget; undefined when interrupted. */
async function runPlan(repoRoot: string, options: BenchOptions, budgetEnd: number, cleanup: Cleanup, progress: Progress, reservedWeight: number): Promise<ConfigResult[] | undefined> {
  const plan = configurations(options);
  const results: ConfigResult[] = [];
  for (const [n, config] of plan.entries()) {
    if (cleanup.disposing) return undefined;
    // each configuration gets the remaining budget in proportion to its expected cost
    const remainingWeight = plan.slice(n).reduce((sum, c) => sum + c.weight, 0) + reservedWeight;
    const deadlineMs = Date.now() + ((budgetEnd - Date.now()) * config.weight) / remainingWeight;
    const label = `[${n + 1}/${plan.length}] N=${config.size} period=${config.period}s peer detection ${config.peerDetection ? 'on' : 'off'}`;
    // idle traffic and the timeline once per (size, period): with the first peer-detection value asked for
    const once = config.peerDetection === options.peerDetection[0];
    const result = await runConfig(
      { repoRoot, size: config.size, period: config.period, peerDetection: config.peerDetection, kills: options.kills, handovers: options.handovers, restarts: options.restarts, idleSeconds: once && config.key === options.idleAt ? options.idleSeconds : 0, captureTimeline: once && config.key === options.timeline, deadlineMs, label },
      cleanup,
      progress,
    ).catch((error: Error) => failedConfig(config, options, error)); // one broken configuration must not lose the others
    if (cleanup.disposing) return undefined;
    results.push(result);
    const failovers = result.kills.map((k) => (k.failoverMs / 1000).toFixed(2)).join(' ');
    progress.log(`${label}: ${result.kills.length} kills, ${result.handovers.length} handovers in ${(result.durationMs / 1000).toFixed(0)} s; failover s: ${failovers}`);
  }
  return results;
}

function failedConfig(config: { size: number; period: number; peerDetection: boolean }, options: BenchOptions, error: Error): ConfigResult {
  const base = { startupMs: Number.NaN, durationMs: Number.NaN, plannedKills: options.kills, plannedHandovers: options.handovers, plannedRestarts: options.restarts, kills: [], handovers: [], restarts: [], idle: undefined, timeline: undefined, cutShort: true };
  return { ...base, size: config.size, period: config.period, peerDetection: config.peerDetection, errors: [`start: ${error.message.split('\n')[0]}`] };
}

const cleanup = new Cleanup();
const progress = new Progress();
cleanup.installSignalHandlers((signal) => progress.log(`${signal}: stopping every process of the bench`));
cleanup.onDispose(() => killAllSpawned()); // anything spawned but not yet handed to a cluster
let options: BenchOptions;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
main(options, cleanup, progress)
  .then(() => cleanup.dispose())
  .catch(async (error: unknown) => {
    progress.log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanup.dispose();
    process.exitCode = 1;
  });
