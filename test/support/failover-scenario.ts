import { expect } from '@jest/globals';
import { HA_DEFAULTS } from '../../libs/ha/src/config/ha-defaults.js';
import { deriveHaTimings } from '../../libs/ha/src/config/ha-timings.js';
import { A4cCluster, type A4cClusterOptions, type A4cInstance, type AddInstanceOptions } from './a4c-cluster.js';
import type { ElasticsearchNode } from './elasticsearch-node.js';
import { startHaproxy, type Haproxy } from './haproxy.js';
import { LeaderProbeSampler } from './leader-probe-sampler.js';
import { actingIntervals, describeInterval, graphIntervals, overlaps, transitionLog, type GraphInterval, type Overlap } from './leadership-timeline.js';
import { findLostWrites, LoadGenerator, type LoadReport } from './load-generator.js';
import { HeartbeatSampler, type HeartbeatWrite } from './heartbeat-sampler.js';
import { SUITE_HA_TIMINGS } from './suite-timings.js';
import { waitUntil } from './wait-until.js';

/** What the plugin derives from the suite's timing keys: the bounds below follow the plugin's defaults. */
const DERIVED = deriveHaTimings({ ...HA_DEFAULTS, ...SUITE_HA_TIMINGS });

/**
 * The timings every failover scenario runs with (short, so the whole e2e suite fits in its budget), and
 * the pieces of the unavailability bounds derived from them. Each bound is printed with its formula.
 */
export const TIMINGS = {
  healthCheckPeriodMs: 1_000,
  /** consul-dev's HTTP check timeout for that period: max(1 s, min(10 s, period)). */
  checkTimeoutMs: 1_000,
  sessionTtlMs: 10_000,
  /** The plugin's default lease (1.5 s). */
  leaseMs: DERIVED.leaseMs,
  /** ... plus its margin (max(250 ms, lease / 10)): a takeover from an unreachable predecessor waits this. */
  takeoverMarginMs: DERIVED.takeoverMarginMs,
  /** TTL - longest call (lease / 2) - drain 1 s - close 2 s = 6.25 s for TTL 10 s. */
  renewDeadlineMs: DERIVED.renewDeadlineMs,
  lockAcquisitionDelayMs: 1_000,
  /** HAProxy sample: inter 500ms, fall 1 rise 1; a check that hangs is cut at `inter`. */
  proxyDetectMs: 500,
  /**
   * Booting the full graph (Nest init, Elasticsearch client, first index checks) measured at 0.2-0.8 s
   * on this 2-core machine; allowed 2 s because another benchmark may load the CPU at the same time.
   */
  activationAllowanceMs: 2_000,
  /** ha.drainTimeoutInMillis of every scenario: in-flight requests a demoted leader still finishes. */
  drainTimeoutMs: 1_000,
  /** ha.closeTimeoutInMillis of every scenario (a4c-cluster's default): closing the full graph after the drain. */
  closeAllowanceMs: 2_000,
  /** Load generator's per-request timeout: a hung request is a gap of at least this much. */
  requestTimeoutMs: 2_000,
  /** Scheduling noise on a shared 2-core machine (jest, 3-5 node processes, a JVM, HAProxy). */
  marginMs: 1_500,
  /**
   * Receipt jitter of the one-clock timeline: the harness stamps lines when its event loop reads two
   * different pipes, so causally ordered lines of two processes may be stamped a few ms out of order.
   */
  timelineJitterMs: 25,
} as const;

/** What every scenario gets: a cluster behind HAProxy, Elasticsearch, a load generator and a clock origin. */
export interface ScenarioOptions {
  name: string;
  es: ElasticsearchNode;
  instances?: number;
  cluster?: A4cClusterOptions;
  /** Per-instance options, by position (e.g. a tmpfs alien dir for the first one). */
  instanceOptions?: (n: number, cluster: A4cCluster) => AddInstanceOptions;
  /** Start instances one by one, waiting for the first to lead (so a test knows which one leads). */
  firstLeads?: boolean;
  /**
   * Also sample every instance's leader probe every 50 ms while the load runs (leader-probe-sampler.ts),
   * and judge "one leader at a time" on ACTING too: no round with two 200s, no overlap of the acting
   * intervals rebuilt from the logs (docs/architecture.md rule 9).
   */
  sampleLeaderProbes?: boolean;
}

export interface Bound {
  ms: number;
  formula: string;
}

export interface Verdict {
  scenario: string;
  report: LoadReport;
  bound: Bound;
  intervals: GraphInterval[];
  overlaps: Overlap[];
  lost: string[];
  /** With sampleLeaderProbes: who acted when (from the logs), their overlaps, and the sampled rounds with two 200s. */
  acting?: { intervals: GraphInterval[]; overlaps: Overlap[]; doubles: number; rounds: number };
}

export interface FinishOptions {
  /** An overlap of full graphs the configuration allows, with the reason (printed with the result). */
  allowedOverlap?: { ms: number; why: string };
  /** Consul lost its state during the scenario: LockIndex (the term) started again from 1. */
  termsMayRestart?: boolean;
  /** Stale-term heartbeats a documented limitation allows (each one is printed), with the reason. */
  toleratedStaleWrite?: { accepts: (write: HeartbeatWrite) => boolean; why: string };
}

const allResults: Verdict[] = [];

export class FailoverScenario {
  readonly origin = Date.now();
  private load: LoadGenerator | undefined;
  private sampler: HeartbeatSampler | undefined;
  /** The leader-probe sampler (with sampleLeaderProbes, once the load started). */
  probes: LeaderProbeSampler | undefined;
  private sampleLeaderProbes = false;

  private constructor(
    readonly name: string,
    readonly cluster: A4cCluster,
    readonly haproxy: Haproxy,
    readonly es: ElasticsearchNode,
    readonly indexPrefix: string,
  ) {}

  static async start(options: ScenarioOptions): Promise<FailoverScenario> {
    const slug = options.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40);
    const indexPrefix = `e2e-${slug}-${Date.now().toString(36)}-`;
    const cluster = await A4cCluster.start({
      elasticsearchUrl: options.es.url,
      indexPrefix,
      // well under the 1 s check timeout, so a busy machine does not fail healthy checks
      healthEsTimeoutInMillis: 500,
      // bounds how long a demoted leader's in-flight requests may outlive its term (see TIMINGS)
      drainTimeoutInMillis: TIMINGS.drainTimeoutMs,
      ...options.cluster,
    });
    let haproxy: Haproxy | undefined;
    try {
      const count = options.instances ?? 3;
      for (let n = 0; n < count; n++) {
        await cluster.addInstance(options.instanceOptions?.(n, cluster));
        if (n === 0 && options.firstLeads) await waitUntil(() => cluster.instances[0]!.isActiveLeader(), { timeoutMs: 30_000, what: 'the first instance leading' });
      }
      haproxy = await startHaproxy(cluster.instances.map((i) => i.port));
      const scenario = new FailoverScenario(options.name, cluster, haproxy, options.es, indexPrefix);
      scenario.sampleLeaderProbes = options.sampleLeaderProbes ?? false;
      await scenario.waitForStableLeader();
      return scenario;
    } catch (error) {
      await haproxy?.stop().catch(() => undefined);
      await cluster.stop().catch(() => undefined);
      throw error;
    }
  }

  /** ms since the scenario started, for log lines. */
  now(): number {
    return Date.now() - this.origin;
  }

  /**
   * Exactly one live instance answers the leader probe, every other live instance names it as leader
   * (so backups hold sessions and watch the key), and HAProxy routes a request to it.
   */
  async waitForStableLeader({ timeoutMs = 40_000, backupsWatching = true }: { timeoutMs?: number; backupsWatching?: boolean } = {}): Promise<A4cInstance> {
    let last = 'nothing observed';
    return waitUntil(
      async () => {
        const leaders = await this.cluster.leaders();
        last = `leaders ${leaders.map((l) => l.port).join(',') || 'none'}`;
        if (leaders.length !== 1) return undefined;
        const leader = leaders[0]!;
        const others = this.cluster.live().filter((i) => i !== leader);
        const views = await Promise.all(others.map((i) => i.status()));
        last += `; others ${JSON.stringify(views.map((v) => [v.role, v.leader?.id]))}`;
        // an unhealthy backup stays out of the race (rule 8) and so does not watch the key: leader null
        const watching = (v: { leader: { id: string } | null }) => v.leader?.id === leader.instanceId || (!backupsWatching && v.leader === null);
        if (!views.every((v) => v.role === 'backup' && watching(v))) return undefined;
        const routed = await fetch(`${this.haproxy.url}/rest/v1/applications`, { signal: AbortSignal.timeout(2_000) });
        await routed.arrayBuffer();
        last += `; via HAProxy ${routed.status}`;
        return routed.status === 200 ? leader : undefined;
      },
      { timeoutMs, intervalMs: 100, what: `one stable leader (${this.name})` },
    ).catch(async (error: Error) => {
      const health = await Promise.all(
        this.cluster.live().map(async (i) => `:${i.port} ${await fetch(`${i.url}/rest/admin/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text(), (e: Error) => e.message)}`),
      );
      last += `\nhealth:\n${health.join('\n')}`;
      const tails = this.cluster.instances.map((i) => `--- :${i.port}\n${i.process.output().split('\n').slice(-15).join('\n')}`).join('\n');
      throw new Error(`${error.message}; last: ${last}\n${transitionLog(this.cluster.instances, this.origin)}\n${tails}`);
    });
  }

  async leader(): Promise<A4cInstance> {
    const leaders = await this.cluster.leaders();
    if (leaders.length !== 1) throw new Error(`expected one leader, found ${leaders.length}`);
    return leaders[0]!;
  }

  /**
   * What an operator sees on one instance right now (health, status, the HA metrics that matter), as
   * one printed line: docs/failure-modes.md quotes these. Tolerates a dead or frozen instance.
   */
  async operatorView(instance: A4cInstance, label: string): Promise<string> {
    const get = async (path: string) => {
      // not `instanceof Error`: a fetch timeout is a DOMException of Node's realm, which is no Error of the
      // test's vm realm (CI saw "response.text is not a function" when an instance did not answer in time)
      const answer = await fetch(`${instance.url}${path}`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => ({ response }),
        (error: unknown) => ({ failed: (error as { name?: string } | undefined)?.name ?? 'error' }),
      );
      if ('failed' in answer) return `no answer (${answer.failed})`;
      return `${answer.response.status} ${(await answer.response.text().catch(() => '(body cut)')).replace(/\s+/g, ' ')}`;
    };
    const metrics = await get('/rest/admin/metrics');
    const interesting = metrics
      .split(/(?=a4c_ha_)/)
      .filter((m) => /^a4c_ha_(leader|term|consul_errors_total\{|state\{state="(leader|backup|deactivating)")/.test(m))
      .map((m) => m.trim())
      .join(' ');
    const line = `[e2e] ${this.name} / ${label} :${instance.port}\n  health: ${await get('/rest/admin/health')}\n  ha: ${await get('/rest/admin/ha')}\n  leader probe: ${await get('/rest/admin/ha/leader')}\n  metrics: ${interesting}\n`;
    process.stdout.write(line);
    return line;
  }

  startLoad(): LoadGenerator {
    this.sampler = new HeartbeatSampler(this.es.url, `${this.indexPrefix}orchestrator-heartbeats`).start();
    this.load = new LoadGenerator({ url: this.haproxy.url, namePrefix: `app-${Date.now().toString(36)}` }).start();
    if (this.sampleLeaderProbes) this.probes = new LeaderProbeSampler(() => this.cluster.instances).start();
    return this.load;
  }

  /** Waits until traffic through HAProxy succeeds again after `since` (a few 2xx in a row). */
  async waitForTraffic(since: number, timeoutMs = 40_000): Promise<number> {
    await waitUntil(() => (this.load!.successesSince(since) >= 3 ? true : undefined), { timeoutMs, intervalMs: 50, what: `traffic through HAProxy again (${this.name})` });
    return Date.now() - since;
  }

  /**
   * Ends the load, then checks the three invariants: one full graph at a time (overlaps beyond
   * `allowedOverlap` fail), nothing acknowledged lost, and the longest stretch without a 2xx within
   * `bound`. Prints one summary line per scenario.
   */
  async finish(bound: Bound, options: FinishOptions = {}): Promise<Verdict> {
    const { allowedOverlap } = options;
    await this.waitForStableLeader({ backupsWatching: false });
    // a little traffic with the final leader, so the run ends on successes rather than on the fault
    await this.waitForTraffic(Date.now());
    const report = await this.load!.stop();
    const heartbeats = await this.sampler!.stop();
    await this.probes?.stop();
    const lost = await findLostWrites(this.haproxy.url, report.acknowledged);
    const intervals = this.cluster.instances.flatMap((i) => graphIntervals(i)).sort((a, b) => a.start - b.start);
    const found = overlaps(intervals);
    const acting = this.probes ? this.cluster.instances.flatMap((i) => actingIntervals(i)).sort((a, b) => a.start - b.start) : [];
    const actingFound = overlaps(acting);
    const doubles = this.probes?.doubles() ?? [];
    const verdict: Verdict = {
      scenario: this.name,
      report,
      bound,
      intervals,
      overlaps: found,
      lost,
      ...(this.probes ? { acting: { intervals: acting, overlaps: actingFound, doubles: doubles.length, rounds: this.probes.all.length } } : {}),
    };
    allResults.push(verdict);

    const context = () =>
      [
        `scenario ${this.name}`,
        `intervals:\n  ${intervals.map((i) => describeInterval(i, this.origin)).join('\n  ')}`,
        `heartbeats: ${heartbeats.describe(this.origin)}`,
        ...(this.probes
          ? [`acting:\n  ${acting.map((i) => describeInterval(i, this.origin)).join('\n  ')}`, `leader probes: ${this.probes.describe(this.origin)}`]
          : []),
        `transitions:\n${transitionLog(this.cluster.instances, this.origin)}`,
        `load: ${JSON.stringify(report.counts)}; longest gap ${report.longestGapMs} ms at [${report.longestGap.from - this.origin}, ${report.longestGap.to - this.origin})`,
      ].join('\n');
    process.stdout.write(
      `[e2e] ${this.name}: longest stretch without a 2xx through HAProxy ${report.longestGapMs} ms (bound ${bound.ms} ms = ${bound.formula}); ` +
        `${report.acknowledged.length} writes acknowledged, ${lost.length} lost; ${report.samples.length} requests ${JSON.stringify(report.counts)}; ` +
        `terms ${intervals.map((i) => `${i.instanceId.replace(/^.*-/, ':')}#${i.term}`).join(' ')}; ` +
        `max overlap ${Math.max(0, ...found.map((o) => o.ms))} ms${allowedOverlap ? ` (allowed ${allowedOverlap.ms} ms: ${allowedOverlap.why})` : ''}` +
        (this.probes
          ? `; acting ${acting.map((i) => `:${i.port}#${i.term}`).join(' ')}, acting overlap ${Math.max(0, ...actingFound.map((o) => o.ms))} ms, ${doubles.length} of ${this.probes.all.length} probe rounds with two 200s`
          : '') +
        '\n',
    );

    expect({ lost, context: lost.length ? context() : '' }).toEqual({ lost: [], context: '' });
    // an acknowledged application read back as 404 during the run would be a lost (or not yet visible) write
    expect(report.counts['read 404'] ?? 0).toBe(0);
    // every scenario starts with a leader: no interval at all means the transition lines went unparsed,
    // and the overlap checks below would pass on nothing
    if (intervals.length === 0) throw new Error(`no full-graph interval found in the logs (transition line format changed?)\n${context()}`);
    // without an allowance only receipt jitter may show as overlap (clean handovers never overlap: rule 4)
    const tooLong = found.filter((o) => o.ms > (allowedOverlap?.ms ?? TIMINGS.timelineJitterMs));
    if (tooLong.length > 0) throw new Error(`two full graphs overlapped: ${tooLong.map((o) => `${o.ms} ms`).join(', ')}\n${context()}`);
    // acting (rule 9) never overlaps, whatever the graphs do: only receipt jitter may show
    const actingTooLong = actingFound.filter((o) => o.ms > TIMINGS.timelineJitterMs);
    if (actingTooLong.length > 0) throw new Error(`two instances acted at once: ${actingTooLong.map((o) => `:${o.a.port}+:${o.b.port} ${o.ms} ms`).join(', ')}\n${context()}`);
    if (doubles.length > 0) {
      const shown = doubles.slice(0, 5).map((r) => r.answers.map((a) => `:${a.port} ${a.status} [${a.sentAt - this.origin}, ${a.receivedAt - this.origin}]`).join(' '));
      throw new Error(`${doubles.length} leader-probe rounds with two 200s: ${shown.join('; ')}\n${context()}`);
    }
    // LockIndex restarts when Consul loses its state, so terms are only ordered within one Consul history
    const allStale = options.termsMayRestart ? [] : heartbeats.staleWrites();
    const tolerated = allStale.filter((w) => options.toleratedStaleWrite?.accepts(w));
    for (const w of tolerated) process.stdout.write(`[e2e] ${this.name}: tolerated stale heartbeat (${options.toleratedStaleWrite!.why}): ${w.why}\n`);
    const stale = allStale.filter((w) => !tolerated.includes(w));
    if (stale.length > 0) throw new Error(`a deposed leader wrote a heartbeat after its successor: ${stale.map((w) => w.why).join('; ')}\n${context()}`);
    if (report.longestGapMs > bound.ms) throw new Error(`unavailable for ${report.longestGapMs} ms > bound ${bound.ms} ms (${bound.formula})\n${context()}`);
    return verdict;
  }

  async dispose(): Promise<void> {
    await this.load?.stop().catch(() => undefined);
    await this.sampler?.stop().catch(() => undefined);
    await this.probes?.stop().catch(() => undefined);
    await this.haproxy.stop().catch(() => undefined);
    await this.cluster.stop().catch(() => undefined);
    await deleteIndices(this.es.url, this.indexPrefix);

  }
}

/** Every verdict of this test file, for a summary in afterAll. */
export function scenarioResults(): readonly Verdict[] {
  return allResults;
}

/** Sums bound pieces into a Bound with its formula, e.g. bound(['period', 1000], ['activation', 2000]). */
export function bound(...parts: Array<[string, number]>): Bound {
  return { ms: parts.reduce((sum, [, ms]) => sum + ms, 0), formula: parts.map(([what, ms]) => `${what} ${ms}`).join(' + ') };
}

/**
 * Deletes the scenario's indices by name (Elasticsearch 8 refuses wildcard deletes by default:
 * action.destructive_requires_name): the node is shared by a file's scenarios and must stay green.
 */
async function deleteIndices(esUrl: string, prefix: string): Promise<void> {
  try {
    const response = await fetch(`${esUrl}/_cat/indices/${prefix}*?format=json&h=index`, { signal: AbortSignal.timeout(10_000) });
    const names = ((await response.json()) as Array<{ index: string }>).map((i) => i.index);
    if (names.length > 0) await fetch(`${esUrl}/${names.join(',')}`, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
  } catch {
    /* Elasticsearch down: the next scenario uses another prefix anyway */
  }
}
