import { waitUntil } from '../../test/support/wait-until.js';
import type { A4cProcess, Transition } from '../harness/a4c-process.js';
import { activationHistogram } from '../harness/ha-metrics.js';
import type { LocalCluster } from '../harness/local-cluster.js';
import type { RequestSample, Traffic } from '../harness/traffic.js';

/** `SIGKILL+restart`: the killed process is started again at once on its port and id, as a restart policy does. */
export type LossKind = 'SIGKILL' | 'SIGTERM' | 'SIGKILL+restart';

/** One leader loss and what it cost. Times in ms; NaN when the figure could not be observed. */
export interface LeaderLoss {
  kind: LossKind;
  from: string;
  to: string | null;
  signalAtMs: number;
  /** Signal to the first 2xx through the proxy answered by another instance. */
  failoverMs: number;
  /** Signal to the new leader's `activating -> leader` log line: the election's share of the failover. */
  newLeaderMs: number;
  /** Signal to the old leader's instance back as a healthy backup (restart included): one round. */
  roundMs: number;
  /** Non-2xx answers (and connection errors) seen by the user in between. */
  failedRequests: number;
  /**
   * The kill window's GETs: every request sent from KILL_WINDOW_MARGIN_MS before the signal (those in
   * flight when the leader died) to KILL_WINDOW_MARGIN_MS after the new leader's first 2xx, as
   * sent-to-answered latencies in ms, and how many of them did not get a 2xx.
   */
  killWindowLatenciesMs: number[];
  killWindowFailed: number;
  /**
   * Of those, sent before the killed process's exit was seen: requests it may have been answering when
   * it died (a GET whose answer had begun cannot be retried by the proxy).
   */
  killWindowFailedInFlight: number;
  /** The kill window's requests without a 2xx or slower than 300 ms, relative to the signal (for the results file). */
  killWindowOutliers: Array<{ sentMs: number; doneMs: number; status: number; server: string | null; error?: string }>;
  /** Lock won -> full graph up on the new leader, from its a4c_ha_activation_seconds histogram. */
  activationMs: number;
  /** The same from its log lines (acquiring -> activating -> leader), as a cross-check. */
  activationLogMs: number;
  /** leader -> deactivating -> stopped on the old leader (SIGTERM only: a SIGKILL runs nothing). */
  deactivationMs: number;
  /** SIGTERM to process exit (graph closed, lock released, session destroyed, service deregistered). */
  exitMs: number;
  rssLeaderBytes: number | undefined;
  rssBackupBytes: number[];
}

/**
 * Takes the current leader down with `kind`, measures until the first 2xx from the new leader through
 * the proxy, then restarts the old leader on the same port and waits until it is a healthy backup, so
 * the cluster is back to N before the next round.
 */
export async function loseLeader(cluster: LocalCluster, traffic: Traffic, kind: LossKind, activations: ActivationLedger, timeoutMs = 30_000): Promise<LeaderLoss> {
  const leader = await cluster.waitForLeader();
  const rssLeaderBytes = leader.rssBytes();
  const rssBackupBytes = cluster.instances.filter((i) => i !== leader).map((i) => i.rssBytes()).filter((v): v is number => v !== undefined);
  await activations.remember(cluster.instances);
  let signalAtMs: number;
  let exitMs = Number.NaN;
  let restarting: Promise<void> | undefined;
  if (kind === 'SIGTERM') {
    const exit = await leader.terminate();
    signalAtMs = exit.sentAtMs;
    exitMs = Date.now() - exit.sentAtMs;
  } else {
    signalAtMs = await leader.kill();
    if (kind === 'SIGKILL+restart') restarting = leader.start();
  }
  // a restarted process (same id) may serve, as the new leader or a backup forwarding to it: any 2xx
  // sent after the kill counts then; otherwise the first 2xx of another instance
  const first = await waitUntil(() => traffic.firstSuccess(signalAtMs, restarting ? undefined : leader.id), { timeoutMs, intervalMs: 10, what: `a 2xx from a new leader after ${kind}` }).catch(() => undefined);
  // the new leader by its transition into leader (whoever answered the first 2xx may be a backup forwarding)
  const successor = await waitUntil(() => cluster.instances.find((i) => i.transitionsSince(signalAtMs).some((t) => t.to === 'leader')), { timeoutMs, intervalMs: 10, what: `a new leader after ${kind}` }).catch(() => undefined);
  const result: LeaderLoss = {
    kind,
    from: leader.id,
    to: successor?.id ?? null,
    signalAtMs,
    failoverMs: first ? first.doneAtMs - signalAtMs : Number.NaN,
    newLeaderMs: successor ? (successor.transitionsSince(signalAtMs).find((t) => t.to === 'leader')?.atMs ?? Number.NaN) - signalAtMs : Number.NaN,
    roundMs: Number.NaN,
    failedRequests: Number.NaN,
    killWindowLatenciesMs: [],
    killWindowFailed: Number.NaN,
    killWindowFailedInFlight: Number.NaN,
    killWindowOutliers: [],
    activationMs: successor ? await activations.lastActivationMs(successor) : Number.NaN,
    activationLogMs: successor ? span(successor.transitionsSince(signalAtMs), 'activating', 'leader') : Number.NaN,
    deactivationMs: kind === 'SIGTERM' ? span(leader.transitionsSince(signalAtMs), 'deactivating', 'stopped') : Number.NaN,
    exitMs,
    rssLeaderBytes,
    rssBackupBytes,
  };
  await (restarting ?? leader.start());
  const newLeader = successor ?? (await cluster.waitForLeader());
  // after a restart at once the restarted process may have won the race itself: then the others follow it
  if (newLeader === leader) await cluster.waitForSteadyState(newLeader);
  else await cluster.waitForHealthyBackup(leader, newLeader.id);
  // counted after the restart: a request that failed slowly (proxy queue timeout) has ended by now
  const exitSeenAtMs = kind === 'SIGTERM' ? signalAtMs : leader.exitSeenAtMs;
  const window = killWindow(traffic.since(signalAtMs - KILL_WINDOW_MARGIN_MS), first);
  return { ...result, roundMs: Date.now() - signalAtMs, failedRequests: countFailures(traffic.since(signalAtMs), first), killWindowLatenciesMs: window.map((s) => s.doneAtMs - s.sentAtMs), killWindowFailed: window.filter((s) => !isOk(s)).length, killWindowFailedInFlight: window.filter((s) => !isOk(s) && s.sentAtMs <= exitSeenAtMs).length, killWindowOutliers: window.filter((s) => !isOk(s) || s.doneAtMs - s.sentAtMs > 300).map((s) => ({ ...s, sentMs: s.sentAtMs - signalAtMs, doneMs: s.doneAtMs - signalAtMs })) };
}

/** Around a kill: long enough to hold the requests the dead leader had in flight and the first ones after. */
const KILL_WINDOW_MARGIN_MS = 1_000;

function killWindow(samples: RequestSample[], first: RequestSample | undefined): RequestSample[] {
  // no new leader: every request since the signal is in the window
  return first === undefined ? samples : samples.filter((s) => s.sentAtMs <= first.doneAtMs + KILL_WINDOW_MARGIN_MS);
}

function isOk(sample: RequestSample): boolean {
  return sample.status >= 200 && sample.status < 300;
}

/** Requests sent between the signal and the first 2xx of the new leader that did not get a 2xx. */
function countFailures(samples: RequestSample[], first: RequestSample | undefined): number {
  return samples.filter((s) => (first === undefined || s.sentAtMs <= first.doneAtMs) && !isOk(s)).length;
}

/** ms from the transition into `into` to the next transition out of it into `until`. */
function span(transitions: Transition[], into: string, until: string): number {
  const start = transitions.find((t) => t.to === into);
  const end = start && transitions.find((t) => t.atMs >= start.atMs && t.from === into && t.to === until);
  return start && end ? end.atMs - start.atMs : Number.NaN;
}

/**
 * The histogram only gives a sum and a count, so one activation is the difference between two scrapes
 * of the same process (a restarted process starts again from zero).
 */
export class ActivationLedger {
  private readonly seen = new Map<number, { sum: number; count: number }>();

  async remember(instances: A4cProcess[]): Promise<void> {
    await Promise.all(instances.map(async (i) => this.scrape(i)));
  }

  async lastActivationMs(instance: A4cProcess): Promise<number> {
    const pid = instance.pid;
    const before = pid === undefined ? undefined : this.seen.get(pid);
    const now = await this.scrape(instance);
    if (!now) return Number.NaN;
    const previous = before ?? { sum: 0, count: 0 };
    return now.count - previous.count === 1 ? (now.sum - previous.sum) * 1000 : Number.NaN;
  }

  private async scrape(instance: A4cProcess): Promise<{ sum: number; count: number } | undefined> {
    const pid = instance.pid;
    const text = await instance.metrics();
    const histogram = text === undefined ? undefined : activationHistogram(text);
    if (pid !== undefined && histogram) this.seen.set(pid, histogram);
    return histogram;
  }
}
