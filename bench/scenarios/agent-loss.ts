import { waitUntil } from '../../test/support/wait-until.js';
import type { A4cProcess } from '../harness/a4c-process.js';
import type { Cleanup } from '../harness/cleanup.js';
import { LocalCluster } from '../harness/local-cluster.js';
import { Traffic } from '../harness/traffic.js';
import type { Progress } from '../report/progress.js';
import type { TableRow } from '../report/table.js';
import { summarize } from '../stats/summary.js';

/** What happens to the leader's host agent (consul-dev control API, docs/consul-behaviour.md §12). */
export type AgentFault = 'partition' | 'kill-agent' | 'leave';
export const AGENT_FAULTS: readonly AgentFault[] = ['partition', 'kill-agent', 'leave'];

const FAULT_LABEL: Record<AgentFault, string> = { partition: 'leader agent cut off', 'kill-agent': 'leader agent killed', leave: 'leader agent left' };

/** One fault of the leader's agent and what it cost. Times in ms; NaN when not observed. */
export interface AgentLoss {
  fault: AgentFault;
  from: string;
  to: string | null;
  /** Fault to the first sampling round in which exactly one instance, another one, answers the leader probe 200. */
  singleLeaderActsMs: number;
  /** Fault to the first 2xx through HAProxy answered by another instance. */
  failoverMs: number;
  /** Time during which two instances answered the leader probe 200 in the same round (sampled every 50 ms). */
  overlapMs: number;
  /** 5xx answers through HAProxy from the fault until the old leader is a healthy backup again. */
  serverErrors: number;
  /** Requests without any HTTP answer in that window. */
  noAnswer: number;
}

export interface AgentLossPlan {
  repoRoot: string;
  size: number;
  period: number;
  /** Rounds per fault kind. */
  rounds: number;
  deadlineMs: number;
  label: string;
}

export interface AgentLossResult {
  size: number;
  period: number;
  startupMs: number;
  durationMs: number;
  plannedRounds: number;
  losses: AgentLoss[];
  cutShort: boolean;
  errors: string[];
}

/**
 * N instances, each with its own consul-dev client agent (the production layout: one agent per host),
 * default delays of a real cluster (§12.1: detection 6 s, ...) and the plugin's default timings (TTL 60 s,
 * lease 1.5 s). Each round takes the leader's agent away in one of three ways, measures until a single
 * other instance acts, then gives the agent back and waits until the old leader is a healthy backup.
 */
export async function runAgentLosses(plan: AgentLossPlan, root: Cleanup, progress: Progress): Promise<AgentLossResult> {
  const started = Date.now();
  const scope = root.scope();
  const errors: string[] = [];
  const losses: AgentLoss[] = [];
  try {
    progress.update(`${plan.label}: starting consul-dev (${plan.size} agents), haproxy and ${plan.size} servers`);
    const cluster = await LocalCluster.start({ repoRoot: plan.repoRoot, size: plan.size, healthCheckPeriodInSecond: plan.period, haproxy: true, agentPerInstance: {} }, scope);
    await cluster.startAll((i) => progress.update(`${plan.label}: started ${i.id} of ${plan.size}`));
    await cluster.waitForSteadyState(await cluster.waitForLeader(60_000));
    const startupMs = Date.now() - started;
    const traffic = new Traffic({ target: cluster.haproxy!.url });
    traffic.start();
    try {
      await waitUntil(() => traffic.firstSuccess(Date.now() - 1_000), { timeoutMs: 10_000, what: 'a 2xx through haproxy' });
      rounds: for (let n = 1; n <= plan.rounds; n++) {
        for (const fault of AGENT_FAULTS) {
          if (Date.now() >= plan.deadlineMs) break rounds;
          progress.update(`${plan.label}: ${FAULT_LABEL[fault]} ${n}/${plan.rounds}`);
          try {
            losses.push(await loseAgent(cluster, traffic, fault));
          } catch (error) {
            errors.push(`${fault} ${n}: ${(error as Error).message.split('\n')[0]}`);
            progress.log(`${plan.label}: ${errors.at(-1)}`);
            break rounds;
          }
        }
      }
    } finally {
      await traffic.stop();
    }
    return { size: plan.size, period: plan.period, startupMs, durationMs: Date.now() - started, plannedRounds: plan.rounds * AGENT_FAULTS.length, losses, cutShort: losses.length < plan.rounds * AGENT_FAULTS.length, errors };
  } catch (error) {
    errors.push(`start: ${(error as Error).message.split('\n')[0]}`);
    return { size: plan.size, period: plan.period, startupMs: Number.NaN, durationMs: Date.now() - started, plannedRounds: plan.rounds * AGENT_FAULTS.length, losses, cutShort: true, errors };
  } finally {
    progress.update(`${plan.label}: stopping the cluster`);
    await scope.dispose();
  }
}

async function loseAgent(cluster: LocalCluster, traffic: Traffic, fault: AgentFault): Promise<AgentLoss> {
  const leader = await cluster.waitForLeader();
  const node = cluster.consul.agents[leader.index - 1]!.node;
  const control = cluster.consul.control;
  const sampler = new ProbeSampler(cluster.instances).start();
  try {
    const faultAt = Date.now();
    if (fault === 'partition') await control.partition(node);
    else if (fault === 'kill-agent') await control.kill(node);
    else await control.leave(node);
    const single = await waitUntil(() => sampler.firstSingle(faultAt, leader.id), { timeoutMs: 60_000, intervalMs: 20, what: `a single new leader after ${fault}` });
    const first = await waitUntil(() => traffic.firstSuccess(faultAt, leader.id), { timeoutMs: 30_000, intervalMs: 10, what: `a 2xx from a new leader after ${fault}` }).catch(() => undefined);
    // give the agent back: the old leader must end up a healthy backup of the new one
    if (fault === 'partition') await control.heal(node);
    else await control.restart(node);
    await cluster.waitForHealthyBackup(leader, single.id, 90_000);
    const window = traffic.since(faultAt);
    return {
      fault,
      from: leader.id,
      to: single.id,
      singleLeaderActsMs: single.at - faultAt,
      failoverMs: first ? first.doneAtMs - faultAt : Number.NaN,
      overlapMs: sampler.overlapMs(),
      serverErrors: window.filter((s) => s.status >= 500).length,
      noAnswer: window.filter((s) => s.status === 0).length,
    };
  } finally {
    await sampler.stop();
  }
}

/** Every instance's leader probe, every 50 ms, all at once: who acts, round by round. */
class ProbeSampler {
  private readonly rounds: Array<{ at: number; acting: string[] }> = [];
  private running = true;
  private loop: Promise<void> | undefined;

  constructor(private readonly instances: readonly A4cProcess[]) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  firstSingle(since: number, notId: string): { at: number; id: string } | undefined {
    const round = this.rounds.find((r) => r.at >= since && r.acting.length === 1 && r.acting[0] !== notId);
    return round ? { at: round.at, id: round.acting[0]! } : undefined;
  }

  /** Sum of the rounds (each until the next one) in which more than one instance acted. */
  overlapMs(): number {
    let total = 0;
    for (let n = 0; n + 1 < this.rounds.length; n++) if (this.rounds[n]!.acting.length > 1) total += this.rounds[n + 1]!.at - this.rounds[n]!.at;
    return total;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const at = Date.now();
      const alive = this.instances.filter((i) => i.running);
      const flags = await Promise.all(alive.map((i) => i.isActiveLeader()));
      this.rounds.push({ at, acting: alive.filter((_, n) => flags[n]).map((i) => i.id) });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at + 50 - Date.now())));
    }
  }
}

/** The table rows: per fault kind and period, time until a single leader acts, overlap and 5xx. */
export function agentLossRows(results: readonly AgentLossResult[]): TableRow[] {
  const rows: TableRow[] = [];
  for (const r of results) {
    for (const fault of AGENT_FAULTS) {
      const of = r.losses.filter((l) => l.fault === fault);
      const where = `${FAULT_LABEL[fault]} N=${r.size} period=${r.period}s`;
      const note = r.errors[0] ?? (of.length < r.plannedRounds / AGENT_FAULTS.length ? `cut short: ${of.length} of ${r.plannedRounds / AGENT_FAULTS.length}` : undefined);
      rows.push({ figure: `single leader acts, ${where}`, unit: 's', summary: summarize(of.map((l) => l.singleLeaderActsMs / 1000)), note });
      rows.push({ figure: `overlap (two leader probes 200), ${where}`, unit: 's', summary: summarize(of.map((l) => l.overlapMs / 1000)) });
      rows.push({ figure: `5xx through HAProxy, ${where}`, unit: 'req', summary: summarize(of.map((l) => l.serverErrors)), note: 'fault until the old leader is a healthy backup again, 50 req/s' });
    }
  }
  return rows;
}
