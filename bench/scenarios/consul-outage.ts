// `npm run bench:outages`: what a Consul outage costs users, with `ha.failsafe` on (rule 13) and off.
// Three A4C instances with the plugin's default timings (TTL 60 s, lease 1.5 s, check period 5 s), one
// consul-dev agent each with the delays of a real cluster, the shipped HAProxy, 20 GET/s + 2 POST/s
// open loop. Per run: every agent refusing connections, or the servers without quorum, for N seconds;
// then failed GETs and POSTs, the longest gap without a served request, the time from Consul's return to
// an acting leader, and the sampling rounds in which two leader probes answered 200.
import { A4cCluster } from '../../test/support/a4c-cluster.js';
import { actingLeader, startProxy, succeeded } from '../../test/support/leader-changes.js';
import { LeaderProbeSampler } from '../../test/support/leader-probe-sampler.js';
import { OpenLoopLoad, type OpenLoopSample } from '../../test/support/load-generator.js';
import { waitUntil } from '../../test/support/wait-until.js';
import { BenchArgumentError, reportScenario, runAsEntry } from '../report/scenario-entry.js';
import type { TableRow } from '../report/table.js';

export type OutageKind = 'agents' | 'quorum' | 'agents-then-quorum';
const LABEL: Record<OutageKind, string> = {
  agents: 'every agent refusing',
  quorum: 'servers without quorum',
  // issue 19's bug: a term ended in the quorum loss whose release never reached the servers
  'agents-then-quorum': 'every agent refusing, then the quorum lost (each for)',
};
const TOKEN = 'bench-outage-token';

export interface OutageRun {
  kind: OutageKind;
  seconds: number;
  failsafe: boolean;
  gets: number;
  failedGets: number;
  posts: number;
  failedPosts: number;
  /** Longest time without any request answered 2xx, from the fault on. */
  longestGapMs: number;
  /** Consul back (agents restarted, quorum restored) to the first sampling round with an acting leader. */
  actingAfterReturnMs: number;
  /** Sampling rounds (every 50 ms) in which two instances answered the leader probe 200. */
  doubleRounds: number;
  /** Acknowledged POSTs not found afterwards. */
  lostWrites: number;
}

/** One cluster of three, one outage of `seconds`, under load. */
export async function runOutage(kind: OutageKind, seconds: number, failsafe: boolean): Promise<OutageRun> {
  const args = [`--ha.adminToken=${TOKEN}`, `--ha.failsafe=${failsafe}`];
  const c = await A4cCluster.start({ agents: 3 });
  let proxy: { stop(): Promise<void> } | undefined;
  try {
    for (let n = 0; n < 3; n++) await c.addInstance({ args });
    await actingLeader(c);
    const p = await startProxy('haproxy', c);
    proxy = p;
    await waitUntil(async () => (await fetch(`${p.url}/rest/v1/applications`).catch(() => undefined))?.status === 200, { timeoutMs: 30_000, what: 'traffic through HAProxy' });
    await waitUntil(async () => (await Promise.all(c.live().map((i) => i.status()))).filter((s) => s.role === 'backup' && s.leader).length === 2 || undefined, { timeoutMs: 60_000, what: 'two backups following the leader' });
    // with failsafe the key lists its members once every check passed: the outage starts from there
    if (failsafe) await waitUntil(async () => ((await listedMembers(c)) === 3 ? true : undefined), { timeoutMs: 60_000, intervalMs: 200, what: 'the key listing three members' });
    const load = new OpenLoopLoad({ url: p.url, namePrefix: `outage-${kind}-${seconds}-${failsafe ? 'on' : 'off'}` }).start();
    const probes = new LeaderProbeSampler(() => c.instances, 50, (seconds + 240) * 1000).start();
    await waitUntil(() => load.samples.filter(succeeded).length >= 20 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    const agents = c.consul.agents.map((a) => a.node);
    const faultAt = Date.now();
    // the outage itself: its length is the figure's input, not a wait for a condition
    const outage = () => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    if (kind !== 'quorum') {
      for (const agent of agents) await c.consul.control.kill(agent);
      await outage();
      for (const agent of agents) await c.consul.control.restart(agent);
    }
    if (kind !== 'agents') {
      await c.consul.control.loseQuorum();
      await outage();
      await c.consul.control.restoreQuorum();
    }
    const backAt = Date.now();
    await waitUntil(async () => ((await c.leaders()).length > 0 ? true : undefined), { timeoutMs: 300_000, intervalMs: 50, what: 'an acting leader after the outage' });
    const actingAfterReturnMs = Date.now() - backAt;
    const settledAt = Date.now();
    await waitUntil(() => load.samples.filter((s) => s.sentAt >= settledAt && succeeded(s)).length >= 20 || undefined, { timeoutMs: 60_000, what: 'traffic after the outage' });
    const samples = await load.stop();
    await probes.stop();
    const list = (await (await fetch(`${p.url}/rest/v1/applications`)).json()) as Array<{ name: string }>;
    const names = new Set(list.map((a) => a.name));
    const acknowledged = samples.filter((s) => s.kind === 'write' && succeeded(s)).map((s) => s.name!);
    return { kind, seconds, failsafe, ...counts(samples, faultAt), actingAfterReturnMs, doubleRounds: probes.doubles().length, lostWrites: acknowledged.filter((n) => !names.has(n)).length };
  } finally {
    await c.consul.control.restoreQuorum().catch(() => undefined);
    await proxy?.stop();
    await c.stop();
  }
}

/** How many members the leader key's value lists, read from the first agent (0 when none). */
async function listedMembers(c: A4cCluster): Promise<number> {
  const agent = c.consul.agents[0]!;
  const read = await fetch(`http://127.0.0.1:${agent.port}/v1/kv/service/a4c/leader`).then((r) => (r.ok ? (r.json() as Promise<Array<{ Value: string }>>) : []));
  if (!read[0]?.Value) return 0;
  const value = JSON.parse(Buffer.from(read[0].Value, 'base64').toString('utf8')) as { members?: unknown[] };
  return value.members?.length ?? 0;
}

function counts(samples: readonly OpenLoopSample[], faultAt: number): Pick<OutageRun, 'gets' | 'failedGets' | 'posts' | 'failedPosts' | 'longestGapMs'> {
  const failed = samples.filter((s) => !succeeded(s));
  const served = samples.filter(succeeded).map((s) => s.doneAt).sort((a, b) => a - b);
  let longestGapMs = 0;
  for (let n = 1; n < served.length; n++) if (served[n]! >= faultAt) longestGapMs = Math.max(longestGapMs, served[n]! - served[n - 1]!);
  return {
    gets: samples.filter((s) => s.kind === 'read').length,
    failedGets: failed.filter((s) => s.kind === 'read').length,
    posts: samples.filter((s) => s.kind === 'write').length,
    failedPosts: failed.filter((s) => s.kind === 'write').length,
    longestGapMs,
  };
}

export function outageRows(runs: readonly OutageRun[]): TableRow[] {
  return runs.map((r) => ({
    figure: `${LABEL[r.kind]} ${r.seconds} s, failsafe ${r.failsafe ? 'on' : 'off'}`,
    unit: 'ms',
    summary: { count: 1, min: r.longestGapMs, median: r.longestGapMs, p95: r.longestGapMs, max: r.longestGapMs },
    note: `longest gap; failed GETs ${r.failedGets}/${r.gets}, POSTs ${r.failedPosts}/${r.posts}; leader ${r.actingAfterReturnMs} ms after Consul's return; two 200s in ${r.doubleRounds} rounds; ${r.lostWrites} writes lost`,
  }));
}

/** `--seconds 30,120 --kinds agents,quorum[,agents-then-quorum] --failsafe on,off [--repeat 1]` */
export function parseOutageArgs(argv: readonly string[]): { seconds: number[]; kinds: OutageKind[]; failsafe: boolean[]; repeat: number } {
  const value = (name: string, fallback: string) => {
    const at = argv.indexOf(`--${name}`);
    return (at >= 0 ? argv[at + 1] : undefined) ?? fallback;
  };
  const seconds = value('seconds', '30,120').split(',').map(Number);
  const kinds = value('kinds', 'agents,quorum').split(',') as OutageKind[];
  const switches = value('failsafe', 'on,off').split(',');
  const failsafe = switches.map((v) => v === 'on');
  const repeat = Number(value('repeat', '1'));
  const bad = [
    ...seconds.filter((s) => !Number.isInteger(s) || s < 1 || s > 3600).map((s) => `--seconds: expected whole seconds 1-3600, got ${s}`),
    ...kinds.filter((k) => !(k in LABEL)).map((k) => `--kinds: expected agents, quorum or agents-then-quorum, got ${k}`),
    ...switches.filter((v) => v !== 'on' && v !== 'off').map((v) => `--failsafe: expected on, off or on,off, got ${v}`),
  ];
  if (!Number.isInteger(repeat) || repeat < 1) bad.push(`--repeat: expected a positive integer, got ${repeat}`);
  if (bad.length) throw new BenchArgumentError(bad.join('\n'));
  return { seconds, kinds, failsafe, repeat };
}

async function main(): Promise<void> {
  const { seconds, kinds, failsafe, repeat } = parseOutageArgs(process.argv.slice(2));
  const startedAt = new Date();
  const runs: OutageRun[] = [];
  for (const s of seconds) {
    for (const kind of kinds) {
      for (const [on, n] of failsafe.flatMap((f) => Array.from({ length: repeat }, (_, n) => [f, n + 1] as const))) {
        process.stderr.write(`outage bench: ${LABEL[kind]} ${s} s, failsafe ${on ? 'on' : 'off'}${repeat > 1 ? `, run ${n}/${repeat}` : ''}\n`);
        const run = await runOutage(kind, s, on);
        process.stderr.write(`  ${outageRows([run])[0]!.note}; gap ${run.longestGapMs} ms\n`);
        runs.push(run);
      }
    }
  }
  reportScenario('outages', startedAt, outageRows(runs), runs);
}

runAsEntry('consul-outage.js', 'outage', main);
