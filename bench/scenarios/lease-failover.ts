// `npm run bench:lease`: what the leader lease buys and costs (the choice of its default, issue 19 item 7).
// Three A4C instances, one consul-dev agent each whose failure the servers detect in 1.5 s, Consul's HTTP
// check every second, the other timings at the plugin's defaults (TTL 60 s, failsafe on), the shipped
// HAProxy, 20 GET/s + 2 POST/s open loop. Per lease: the leader frozen (SIGSTOP, SIGCONT once another
// acts) and the leader's agent cut off from the servers (healed once another acts), each `--rounds`
// times: fault to a single new acting leader, sampling rounds with two leader probes 200, failed
// requests; and the Consul calls the leader makes per second while nothing happens.
import { A4cCluster, type A4cInstance } from '../../test/support/a4c-cluster.js';
import { actingLeader, startProxy, succeeded } from '../../test/support/leader-changes.js';
import { LeaderProbeSampler } from '../../test/support/leader-probe-sampler.js';
import { OpenLoopLoad } from '../../test/support/load-generator.js';
import { waitUntil } from '../../test/support/wait-until.js';
import { BenchArgumentError, reportScenario, runAsEntry } from '../report/scenario-entry.js';
import type { TableRow } from '../report/table.js';
import { summarize } from '../stats/summary.js';

export type LeaseFault = 'freeze' | 'cut-off';
const LABEL: Record<LeaseFault, string> = { freeze: 'leader frozen (SIGSTOP)', 'cut-off': "leader's agent cut off" };
const TOKEN = 'bench-lease-token';
/** The servers notice a silent agent this fast (the partition e2e's figure; a real LAN cluster takes a few seconds). */
const DETECT_MS = 1_500;
/** Idle window over which the leader's Consul calls are counted. */
const IDLE_WINDOW_MS = 20_000;

export interface LeaseRound {
  fault: LeaseFault;
  /** Fault to the first sampling round (every 50 ms) in which exactly one other instance answered the leader probe 200. */
  newLeaderActsMs: number;
  /** Sampling rounds in which two instances answered 200. */
  doubleRounds: number;
  failedGets: number;
  failedPosts: number;
}

export interface LeaseRun {
  /** ha.leaderLeaseInSecond; undefined = the plugin's default. */
  leaseSeconds: number | undefined;
  /** The leader's Consul calls per second, idle (every operation of a4c_ha_consul_request_duration_seconds). */
  leaderConsulCallsPerSecond: number;
  rounds: LeaseRound[];
  lostWrites: number;
}

export async function runLease(leaseSeconds: number | undefined, rounds: number): Promise<LeaseRun> {
  const c = await A4cCluster.start({
    agents: 3,
    consulTimings: { detectMs: DETECT_MS },
    healthCheckPeriodInSecond: 1,
    consulSessionTTLInSecond: 60,
    lockAcquisitionDelayInSecond: 20,
    drainTimeoutInMillis: 5_000,
    closeTimeoutInMillis: 5_000,
    ...(leaseSeconds !== undefined ? { leaderLeaseInSecond: leaseSeconds } : {}),
  });
  let proxy: { stop(): Promise<void> } | undefined;
  try {
    const args = [`--ha.adminToken=${TOKEN}`];
    for (let n = 0; n < 3; n++) await c.addInstance({ args });
    let leader = await actingLeader(c);
    await settled(c, leader);
    const leaderConsulCallsPerSecond = await consulCallsPerSecond(leader);
    const p = await startProxy('haproxy', c);
    proxy = p;
    await waitUntil(async () => (await fetch(`${p.url}/rest/v1/applications`).catch(() => undefined))?.status === 200, { timeoutMs: 30_000, what: 'traffic through HAProxy' });
    const load = new OpenLoopLoad({ url: p.url, namePrefix: `lease-${leaseSeconds ?? 'default'}`, maxDurationMs: 3_600_000 }).start();
    const measured: LeaseRound[] = [];
    try {
      for (let n = 0; n < rounds; n++) {
        for (const fault of ['freeze', 'cut-off'] as const) {
          const round = await faultRound(c, leader, fault, load);
          process.stderr.write(`  ${LABEL[fault]}: new leader acts ${round.newLeaderActsMs} ms after the fault; two 200s in ${round.doubleRounds} rounds; failed ${round.failedGets} GETs, ${round.failedPosts} POSTs\n`);
          measured.push(round);
          leader = await actingLeader(c);
          await settled(c, leader);
        }
      }
    } finally {
      await load.stop();
    }
    const list = (await (await fetch(`${p.url}/rest/v1/applications`)).json()) as Array<{ name: string }>;
    const names = new Set(list.map((a) => a.name));
    const lostWrites = load.samples.filter((s) => s.kind === 'write' && succeeded(s) && !names.has(s.name!)).length;
    return { leaseSeconds, leaderConsulCallsPerSecond, rounds: measured, lostWrites };
  } finally {
    await proxy?.stop();
    await c.stop();
  }
}

async function faultRound(c: A4cCluster, leader: A4cInstance, fault: LeaseFault, load: OpenLoopLoad): Promise<LeaseRound> {
  const probes = new LeaderProbeSampler(() => c.instances, 50, 120_000).start();
  try {
    const faultAt = Date.now();
    if (fault === 'freeze') leader.signal('SIGSTOP');
    else await c.consul.control.partition(leader.agent);
    const acts = await waitUntil(() => probes.firstSingleLeader(faultAt, leader.port), { timeoutMs: 60_000, intervalMs: 20, what: `a new acting leader after ${fault}` });
    if (fault === 'freeze') leader.signal('SIGCONT');
    else await c.consul.control.heal(leader.agent);
    const successor = c.instances.find((i) => i.port === acts.port)!;
    await settled(c, successor);
    const window = load.samples.filter((s) => s.sentAt >= faultAt - 15_000);
    const failed = window.filter((s) => !succeeded(s) && s.doneAt >= faultAt);
    return {
      fault,
      newLeaderActsMs: acts.at - faultAt,
      doubleRounds: probes.doubles().length,
      failedGets: failed.filter((s) => s.kind === 'read').length,
      failedPosts: failed.filter((s) => s.kind === 'write').length,
    };
  } finally {
    await probes.stop();
  }
}

/** Every other instance a backup following `leader`: the next fault starts from a settled cluster. */
async function settled(c: A4cCluster, leader: A4cInstance): Promise<void> {
  const others = c.live().filter((i) => i !== leader);
  await waitUntil(async () => (await Promise.all(others.map((i) => i.status().catch(() => undefined)))).every((s) => s?.role === 'backup' && s.leader?.id === leader.instanceId) || undefined, {
    timeoutMs: 120_000,
    intervalMs: 200,
    what: `every other instance a backup of ${leader.instanceId}`,
  });
}

async function consulCallsPerSecond(leader: A4cInstance): Promise<number> {
  const before = await consulCalls(leader);
  const from = Date.now();
  // the idle window is the measurement's input, not a wait for a condition
  await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
  const after = await consulCalls(leader);
  return Math.round(((after - before) / ((Date.now() - from) / 1000)) * 100) / 100;
}

async function consulCalls(instance: A4cInstance): Promise<number> {
  const text = await (await fetch(`${instance.url}/rest/admin/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('a4c_ha_consul_request_duration_seconds_count'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

export function leaseRows(runs: readonly LeaseRun[]): TableRow[] {
  return runs.flatMap((r) => {
    const lease = r.leaseSeconds === undefined ? 'default lease' : `lease ${r.leaseSeconds} s`;
    return (['freeze', 'cut-off'] as const).map((fault) => {
      const of = r.rounds.filter((x) => x.fault === fault);
      const sum = (f: (x: LeaseRound) => number) => of.reduce((s, x) => s + f(x), 0);
      return {
        figure: `new leader acts, ${LABEL[fault]}, ${lease}`,
        unit: 's',
        summary: summarize(of.map((x) => x.newLeaderActsMs / 1000)),
        note: `two 200s in ${sum((x) => x.doubleRounds)} rounds; failed ${sum((x) => x.failedGets)} GETs, ${sum((x) => x.failedPosts)} POSTs; ${r.lostWrites} writes lost; leader idle ${r.leaderConsulCallsPerSecond} Consul calls/s`,
      };
    });
  });
}

/** `--leases default,1.5,3,10 --rounds 5` */
export function parseLeaseArgs(argv: readonly string[]): { leases: Array<number | undefined>; rounds: number } {
  const value = (name: string, fallback: string) => {
    const at = argv.indexOf(`--${name}`);
    return (at >= 0 ? argv[at + 1] : undefined) ?? fallback;
  };
  const leases = value('leases', 'default').split(',').map((v) => (v === 'default' ? undefined : Number(v)));
  const rounds = Number(value('rounds', '5'));
  const bad = leases.filter((l) => l !== undefined && !(l >= 0.3 && l <= 60)).map((l) => `--leases: expected "default" or seconds 0.3-60, got ${l}`);
  if (!Number.isInteger(rounds) || rounds < 1) bad.push(`--rounds: expected a positive integer, got ${rounds}`);
  if (bad.length) throw new BenchArgumentError(bad.join('\n'));
  return { leases, rounds };
}

async function main(): Promise<void> {
  const { leases, rounds } = parseLeaseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const runs: LeaseRun[] = [];
  for (const lease of leases) {
    process.stderr.write(`lease bench: ${lease === undefined ? 'default lease' : `lease ${lease} s`}, ${rounds} rounds\n`);
    const run = await runLease(lease, rounds);
    process.stderr.write(`  leader idle: ${run.leaderConsulCallsPerSecond} Consul calls/s\n`);
    runs.push(run);
  }
  reportScenario('lease', startedAt, leaseRows(runs), runs);
}

runAsEntry('lease-failover.js', 'lease', main);
