// `npm run bench:forwarding`: what users see of a leader change when every instance holds and forwards
// (docs/operations.md, "Forwarding to the leader"): through each shipped proxy sample (HAProxy, nginx),
// 20 GET/s + 2 POST/s open-loop while the leader is SIGKILLed, steps down and is restarted with SIGTERM.
// Per failover: failed GETs and POSTs, the failover time (change -> successor acting) and the p99
// latency of the requests that met the leaderless moment. Writes a table and an SVG timeline.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { A4cCluster } from '../../test/support/a4c-cluster.js';
import { actingLeader, changeFigures, changeLeader, startProxy, type ChangeFigures, type ChangeKind, type ProxyKind } from '../../test/support/leader-changes.js';
import { OpenLoopLoad } from '../../test/support/load-generator.js';
import { waitUntil } from '../../test/support/wait-until.js';
import { BenchArgumentError, runAsEntry } from '../report/scenario-entry.js';
import { formatTable, type TableRow } from '../report/table.js';
import { summarize } from '../stats/summary.js';

const TOKEN = 'bench-forwarding-token';
const ARGS = [`--ha.adminToken=${TOKEN}`, '--ha.forwardTimeoutInMillis=15000'];
const KINDS: readonly ChangeKind[] = ['sigkill', 'sigterm', 'step-down'];

export interface ForwardingRun {
  proxy: ProxyKind;
  figures: ChangeFigures[];
}

/** One cluster of three behind `proxy`, `each` changes of every kind in turn under load. */
export async function runForwardingFailovers(proxy: ProxyKind, each: number): Promise<ForwardingRun> {
  const c = await A4cCluster.start({ healthCheckPeriodInSecond: 1, lockAcquisitionDelayInSecond: 1, consulSessionTTLInSecond: 20, drainTimeoutInMillis: 2000 });
  let running: { stop(): Promise<void> } | undefined;
  try {
    for (let n = 0; n < 3; n++) await c.addInstance({ args: ARGS });
    await actingLeader(c);
    const p = await startProxy(proxy, c);
    running = p;
    await waitUntil(async () => (await fetch(`${p.url}/rest/v1/applications`).catch(() => undefined))?.status === 200, { timeoutMs: 20_000, what: 'traffic through the proxy' });
    const load = new OpenLoopLoad({ url: p.url, namePrefix: `bench-${proxy}` }).start();
    const events = [];
    for (let n = 0; n < each; n++) for (const kind of KINDS) events.push(await changeLeader(c, kind, { token: TOKEN, args: ARGS }));
    const samples = await load.stop();
    return { proxy, figures: changeFigures(events, samples) };
  } finally {
    await running?.stop();
    await c.stop();
  }
}

const LABEL: Record<ChangeKind, string> = { sigkill: 'SIGKILL', sigterm: 'SIGTERM', 'step-down': 'step-down' };

/** Rows of the bench table: per proxy and kind of change. */
export function forwardingRows(runs: readonly ForwardingRun[]): TableRow[] {
  const rows: TableRow[] = [];
  for (const run of runs) {
    for (const kind of KINDS) {
      const f = run.figures.filter((x) => x.kind === kind);
      const name = `${LABEL[kind]} via ${run.proxy}`;
      const overBound = f.filter((x) => Math.max(x.p99GetMs, x.p99PostMs) > x.failoverMs + 100).length;
      rows.push({ figure: `${name}: failover (change -> successor acting)`, unit: 'ms', summary: summarize(f.map((x) => x.failoverMs)) });
      const getsOnKill = f.reduce((s, x) => s + x.failedGetsInFlightOnKill, 0);
      rows.push({ figure: `${name}: failed GETs per failover`, unit: 'req', summary: summarize(f.map((x) => x.failedGets)), note: `of ${f.reduce((s, x) => s + x.gets, 0)} GETs${getsOnKill ? `; ${getsOnKill} in flight on the killed leader` : ''}` });
      const onKill = f.reduce((s, x) => s + x.failedPostsInFlightOnKill, 0);
      rows.push({ figure: `${name}: failed POSTs per failover`, unit: 'req', summary: summarize(f.map((x) => x.failedPosts)), note: `of ${f.reduce((s, x) => s + x.posts, 0)} POSTs${onKill ? `; ${onKill} in flight on the killed leader` : ''}` });
      rows.push({ figure: `${name}: GET latency p99 during the failover`, unit: 'ms', summary: summarize(f.map((x) => x.p99GetMs)), note: overBound ? `${overBound} failover(s) with a p99 above failover + 100 ms` : undefined });
      rows.push({ figure: `${name}: POST latency p99 during the failover`, unit: 'ms', summary: summarize(f.map((x) => x.p99PostMs)) });
    }
  }
  return rows;
}

/**
 * One row per failover (proxy, kind, n): a bar for the failover time, ticks for the GET and POST p99
 * latency (the target is the end of the bar + 100 ms, drawn dashed), and the failed requests as text.
 */
export function forwardingSvg(runs: readonly ForwardingRun[]): string {
  const all = runs.flatMap((r) => r.figures.map((f) => ({ proxy: r.proxy, ...f })));
  const maxMs = Math.max(1000, ...all.map((f) => Math.max(f.failoverMs + 100, f.p99GetMs, f.p99PostMs)));
  const left = 150;
  const width = 900;
  const rowH = 18;
  const scale = (ms: number) => left + (ms / maxMs) * (width - left - 170);
  const height = 50 + all.length * rowH + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="8" y="16" font-size="13">Leader changes under 20 GET/s + 2 POST/s: failover time (bar), p99 GET (blue) and POST (orange), target = failover + 100 ms (dashed)</text>`,
  ];
  all.forEach((f, n) => {
    const y = 36 + n * rowH;
    const failed = f.failedGets + f.failedPosts;
    parts.push(
      `<text x="8" y="${y + 12}">${f.proxy} ${LABEL[f.kind]}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${(scale(f.failoverMs) - left).toFixed(1)}" height="11" fill="#ccc"/>`,
      `<line x1="${scale(f.failoverMs + 100).toFixed(1)}" x2="${scale(f.failoverMs + 100).toFixed(1)}" y1="${y + 1}" y2="${y + 16}" stroke="#444" stroke-dasharray="2,2"/>`,
      `<line x1="${scale(f.p99GetMs).toFixed(1)}" x2="${scale(f.p99GetMs).toFixed(1)}" y1="${y + 1}" y2="${y + 16}" stroke="#1f77b4" stroke-width="2"/>`,
      `<line x1="${scale(f.p99PostMs).toFixed(1)}" x2="${scale(f.p99PostMs).toFixed(1)}" y1="${y + 1}" y2="${y + 16}" stroke="#ff7f0e" stroke-width="2"/>`,
      `<text x="${width - 160}" y="${y + 12}" fill="${failed ? '#c00' : '#080'}">${f.failedGets} GET / ${f.failedPosts} POST failed</text>`,
    );
  });
  const axisY = 36 + all.length * rowH + 14;
  parts.push(`<text x="${left}" y="${axisY}">0</text>`, `<text x="${scale(maxMs) - 40}" y="${axisY}">${Math.round(maxMs)} ms</text>`, '</svg>');
  return `${parts.join('\n')}\n`;
}

/** bench/results/<stamp>-forwarding.json and .svg (bench/results/ is gitignored). */
export function writeForwardingResults(repoRoot: string, startedAt: Date, runs: readonly ForwardingRun[], rows: readonly TableRow[]): string[] {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const json = join(dir, `${stamp}-forwarding.json`);
  const svg = join(dir, `${stamp}-forwarding.svg`);
  writeFileSync(json, `${JSON.stringify({ startedAt, runs, rows }, null, 2)}\n`);
  writeFileSync(svg, forwardingSvg(runs));
  return [json, svg].map((file) => relative(repoRoot, file));
}

async function main(): Promise<void> {
  const eachArg = process.argv.find((a) => a.startsWith('--each='));
  const each = eachArg ? Number(eachArg.slice('--each='.length)) : 5;
  if (!Number.isInteger(each) || each < 1) throw new BenchArgumentError(`--each must be a positive integer, got ${eachArg}`);
  const startedAt = new Date();
  const runs: ForwardingRun[] = [];
  for (const proxy of ['haproxy', 'nginx'] as const) {
    process.stderr.write(`forwarding bench: ${each} x SIGKILL, SIGTERM, step-down through ${proxy}\n`);
    runs.push(await runForwardingFailovers(proxy, each));
  }
  const rows = forwardingRows(runs);
  process.stdout.write(`a4c-ha forwarding bench ${startedAt.toISOString()} · node ${process.version} · wall ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s\n\n${formatTable(rows)}\n\n`);
  process.stdout.write(`results: ${writeForwardingResults(process.cwd(), startedAt, runs, rows).join(', ')}\n`);
}

runAsEntry('forwarding-failover.js', 'forwarding', main);
