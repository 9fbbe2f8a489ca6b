import { waitUntil } from '../../test/support/wait-until.js';
import type { Cleanup } from '../harness/cleanup.js';
import { LocalCluster } from '../harness/local-cluster.js';
import { Traffic } from '../harness/traffic.js';
import { failoverTimeline } from '../report/failover-timeline.js';
import type { Progress } from '../report/progress.js';
import type { TimelineInput } from '../report/timeline-svg.js';
import { summarize } from '../stats/summary.js';
import { measureIdle, type IdleInstance } from './idle.js';
import { ActivationLedger, loseLeader, type LeaderLoss, type LossKind } from './leader-loss.js';

export interface ConfigPlan {
  repoRoot: string;
  size: number;
  period: number;
  /** `ha.peerCrashDetection` of every instance. */
  peerDetection: boolean;
  kills: number;
  handovers: number;
  /** SIGKILLs each followed at once by a restart of the killed process (as a restart policy does). */
  restarts: number;
  /** 0 = no idle measurement in this configuration. */
  idleSeconds: number;
  captureTimeline: boolean;
  /** Stop starting new rounds after this instant (the whole run must fit its time budget). */
  deadlineMs: number;
  label: string;
}

export interface ConfigResult {
  size: number;
  period: number;
  peerDetection: boolean;
  startupMs: number;
  durationMs: number;
  plannedKills: number;
  plannedHandovers: number;
  plannedRestarts: number;
  kills: LeaderLoss[];
  handovers: LeaderLoss[];
  restarts: LeaderLoss[];
  idle: IdleInstance[] | undefined;
  timeline: TimelineInput | undefined;
  /** Fewer rounds than planned because the deadline came first. */
  cutShort: boolean;
  /** What ended this configuration early (the rounds measured before it are kept). */
  errors: string[];
}

/** One cluster of `size` instances at one check period: idle, then SIGKILL, SIGTERM and SIGKILL+restart rounds. */
export async function runConfig(plan: ConfigPlan, root: Cleanup, progress: Progress): Promise<ConfigResult> {
  const started = Date.now();
  const scope = root.scope();
  try {
    progress.update(`${plan.label}: starting consul-dev, haproxy and ${plan.size} servers`);
    const cluster = await LocalCluster.start({ repoRoot: plan.repoRoot, size: plan.size, healthCheckPeriodInSecond: plan.period, haproxy: true, extraHaConfig: [`peerCrashDetection: ${plan.peerDetection}`] }, scope);
    await cluster.startAll((i) => progress.update(`${plan.label}: started ${i.id} of ${plan.size}`));
    await cluster.waitForSteadyState(await cluster.waitForLeader());
    const startupMs = Date.now() - started;
    const idle = plan.idleSeconds > 0 ? await measureIdle(cluster, plan.idleSeconds, progress, plan.label) : undefined;
    const traffic = new Traffic({ target: cluster.haproxy!.url });
    traffic.start();
    try {
      await waitUntil(() => traffic.firstSuccess(Date.now() - 1_000), { timeoutMs: 10_000, what: 'a 2xx through haproxy' });
      const result = { size: plan.size, period: plan.period, peerDetection: plan.peerDetection, plannedKills: plan.kills, plannedHandovers: plan.handovers, plannedRestarts: plan.restarts, startupMs, idle, timeline: undefined as TimelineInput | undefined, cutShort: false, errors: [] as string[] };
      const kills = await rounds('SIGKILL', plan.kills, plan, cluster, traffic, progress, result.errors, (loss, round) => {
        // the second kill: the first can come while the last-started backups are still settling
        if (plan.captureTimeline && !result.timeline && (round === 2 || plan.kills === 1)) result.timeline = timelineOf(loss, cluster, traffic, plan);
      });
      const handovers = result.errors.length ? [] : await rounds('SIGTERM', plan.handovers, plan, cluster, traffic, progress, result.errors);
      const restarts = result.errors.length ? [] : await rounds('SIGKILL+restart', plan.restarts, plan, cluster, traffic, progress, result.errors);
      const cutShort = kills.length < plan.kills || handovers.length < plan.handovers || restarts.length < plan.restarts;
      return { ...result, kills, handovers, restarts, cutShort, durationMs: Date.now() - started };
    } finally {
      await traffic.stop();
    }
  } finally {
    progress.update(`${plan.label}: stopping the cluster`);
    await scope.dispose();
  }
}

/** Up to `count` rounds; an error (a cluster that did not recover) ends them and is recorded in `errors`. */
async function rounds(kind: LossKind, count: number, plan: ConfigPlan, cluster: LocalCluster, traffic: Traffic, progress: Progress, errors: string[], each?: (loss: LeaderLoss, round: number) => void): Promise<LeaderLoss[]> {
  const ledger = new ActivationLedger();
  const losses: LeaderLoss[] = [];
  for (let n = 1; n <= count && Date.now() < plan.deadlineMs; n++) {
    const median = summarize(losses.map((l) => l.failoverMs))?.median;
    progress.update(`${plan.label}: ${kind} ${n}/${count}${median === undefined ? '' : `, median so far ${(median / 1000).toFixed(2)} s`}`);
    let loss: LeaderLoss;
    try {
      loss = await loseLeader(cluster, traffic, kind, ledger);
    } catch (error) {
      errors.push(`${kind} ${n}: ${(error as Error).message.split('\n')[0]}`);
      progress.log(`${plan.label}: ${errors.at(-1)}`);
      break;
    }
    losses.push(loss);
    each?.(loss, n);
  }
  return losses;
}

function timelineOf(loss: LeaderLoss, cluster: LocalCluster, traffic: Traffic, plan: ConfigPlan): TimelineInput {
  const samples = traffic.since(loss.signalAtMs - 2_000);
  return failoverTimeline({
    title: `${loss.kind} of the leader ${loss.from}, N=${plan.size}, healthCheckPeriodInSecond=${plan.period}, peer detection ${plan.peerDetection ? 'on' : 'off'}: roles and requests through HAProxy`,
    instances: cluster.instances,
    samples,
    signal: { atMs: loss.signalAtMs, label: `${loss.kind} ${loss.from}` },
    firstSuccess: traffic.firstSuccess(loss.signalAtMs, loss.from),
  });
}
