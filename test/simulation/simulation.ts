import { createHash } from 'node:crypto';
import type { ElectorTimings } from '../../libs/ha/src/election/ports.js';
import { testTimings } from '../../libs/ha/src/testing/election-harness.js';
import { describeFault, latestEnd, randomSchedule, type Fault, type ScheduledFault } from './fault-schedule.js';
import { applyFault } from './fault-injector.js';
import { InvariantChecker, type Violation } from './invariants.js';
import { Prng } from './prng.js';
import { drainMicrotasks, Scheduler } from './scheduler.js';
import { SimInstance, type SimWorld } from './sim-instance.js';
import { SimNetwork } from './sim-network.js';
import { SimServers } from './sim-servers.js';
import { SimElasticsearch } from './sim-store.js';
import { DOCUMENTS } from './sim-graph.js';

/**
 * Timings of the simulated instances: the scenario tests' (the relations of docs/architecture.md: renew
 * deadline < TTL, lease < renew deadline, a margin over the lease for clock rates), with shorter waits
 * between tries so that a run of half a minute covers many terms.
 */
export const SIM_TIMINGS: ElectorTimings = {
  ...testTimings,
  blockingWaitMs: 60_000,
  retryDelayMs: 3_000,
  activationTimeoutMs: 10_000,
  stepDownHoldOffMs: 3_000,
};

/** Clock rates lie in [1 - skew, 1 + skew]: (lease + margin) / (1 + skew) stays above lease / (1 - skew). */
export const CLOCK_SKEW = 0.02;

/**
 * How long and how dense a run is. `short` is what `npm test` runs (2,000 seeds within a minute);
 * `long` (the default of `npm run sim`) lets faults last up to a minute, as the issue's scenarios do.
 */
export const PROFILES = {
  short: { faultWindowMs: 13_000, maxFaultMs: 15_000, quietMs: 5_000, meanGapMs: 1_700 },
  long: { faultWindowMs: 60_000, maxFaultMs: 60_000, quietMs: 20_000, meanGapMs: 3_000 },
} as const;
export type ProfileName = keyof typeof PROFILES;

export interface SimulationOptions {
  seed: number;
  profile: ProfileName;
  /** 2-5; drawn from the seed when absent. */
  instances?: number;
  /** Keep every trace line (a replay), not only the last ones. */
  fullTrace?: boolean;
  /** Rule 13 on every instance; drawn from the seed when absent (on in about half the seeds). */
  failsafe?: boolean;
  /** The bug planted in the code this run exercises (planted-bugs.spec.ts): named in the trace and the failure. */
  planted?: string;
}

export interface SimulationResult {
  seed: number;
  profile: ProfileName;
  planted?: string;
  instances: number;
  /** Rule 13 (ha.failsafe) was on in this run. */
  failsafe: boolean;
  schedule: string[];
  violations: Violation[];
  /** The last trace lines before the end (all of them with fullTrace). */
  trace: string[];
  /** Lines the whole trace had. */
  traceLines: number;
  /** Hash of the whole trace: equal for equal seeds (determinism). */
  traceHash: string;
  steps: number;
  simulatedMs: number;
  terms: number;
  /** Rule 13: confirmations members gave, and extensions leaders took from rounds every member confirmed. */
  failsafeRounds: { confirmations: number; extensions: number };
  /** User requests: sent, served by a full graph (written or fenced), held past the deadline, failed, refused (no process). */
  requests: { sent: number; served: number; timedOut: number; failed: number; refused: number };
  /** From the moment the last fault healed to the first acting instance after it; null: none by the end. */
  actingAfterHealMs: number | null;
}

const TRACE_TAIL = 60;
/** Steps at one instant beyond which a run counts as spinning (a loop that never waits). */
const SPIN_STEPS = 10_000;
/** Share of the seeds that run with rule 13's failsafe on, so that both modes keep being covered. */
const FAILSAFE_SHARE = 0.5;
/** The outages rule 13 is about, drawn more often when failsafe is on: some members share the leader's, some do not. */
const FAILSAFE_FAULTS: Fault['kind'][] = ['leader-cut-with-others', 'total-outage'];

/**
 * One seeded run: N instances of the real elector under a random fault schedule, checked after every step.
 * Errors are created by the thousand (every refused call, every aborted sleep); their stack traces are
 * not needed and would cost most of the run, so they are off while it runs.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await simulate(options);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const root = new Prng(options.seed);
  const faultRng = root.fork(1);
  const rng = root.fork(2);
  const failsafe = options.failsafe ?? root.fork(3).chance(FAILSAFE_SHARE);
  const count = options.instances ?? faultRng.int(2, 5);
  const ids = Array.from({ length: count }, (_, i) => `i${i + 1}`);
  const { faultWindowMs, maxFaultMs, quietMs, meanGapMs } = PROFILES[options.profile];
  const scheduler = new Scheduler();
  const hash = createHash('sha1');
  const trace: string[] = [];
  let traceLines = 0;
  let terms = 0;
  const failsafeRounds = { confirmations: 0, extensions: 0 };
  const focus = failsafe ? FAILSAFE_FAULTS : [];
  const schedule = randomSchedule(faultRng, { instances: ids, faultWindowMs, meanGapMs, maxDurationMs: maxFaultMs, focus });
  let healedAt = lastHealed(schedule);
  let actingAfterHealMs: number | null = null;
  const instances: SimInstance[] = [];
  const checker = new InvariantChecker(instances, () => scheduler.now);
  const es = new SimElasticsearch(scheduler, rng);
  const servers = new SimServers(scheduler);
  const world: SimWorld = {
    scheduler,
    servers,
    network: new SimNetwork(scheduler, rng),
    es,
    rng,
    timings: SIM_TIMINGS,
    clockSkew: CLOCK_SKEW,
    failsafe,
    instance: (id) => instances.find((i) => i.id === id),
    trace: (line) => {
      const stamped = `t=${(scheduler.now / 1000).toFixed(3)}s ${line}`;
      hash.update(stamped);
      traceLines += 1;
      if (line.includes('-> activating')) terms += 1;
      if (line.includes(': failsafe: ')) failsafeRounds.extensions += 1;
      trace.push(stamped);
      if (!options.fullTrace && trace.length > TRACE_TAIL * 2) trace.splice(0, trace.length - TRACE_TAIL);
    },
    writeLeaving: (write) => checker.writeLeaving(world.instance(write.writer), write.epoch),
    // a fault that waits for its target (a settled leader) heals later than its schedule says
    faultEndsAt: (time) => {
      if (time <= healedAt) return;
      healedAt = time;
      actingAfterHealMs = null;
    },
    failsafeConfirmed: (member, leaderId, askedAt) => {
      failsafeRounds.confirmations += 1;
      const reachingSince = reachingServersSince(member, servers);
      world.trace(`${member.id}: confirms ${leaderId}'s failsafe round (its agent ${reachingSince === null ? 'does not reach the servers' : `reaches the servers since t=${(reachingSince / 1000).toFixed(3)}s`})`);
      checker.failsafeConfirmed(member, leaderId, askedAt, reachingSince);
    },
  };
  es.onAccepted.push((write) => checker.accepted(write));
  world.trace(`rule 13's failsafe ${failsafe ? 'on' : 'off'} on every instance`);
  if (options.planted) world.trace(options.planted);
  for (const id of ids) instances.push(new SimInstance(id, world));
  checkRounds(scheduler, instances, SIM_TIMINGS.healthCheckIntervalMs);
  const requests = { sent: 0, served: 0, timedOut: 0, failed: 0, refused: 0 };
  userRequests(world, instances, requests, faultWindowMs);
  for (const entry of schedule) scheduler.at(entry.at, () => injectFault(world, instances, entry));
  let stuck = { at: -1, steps: 0 };
  while (checker.violations.length === 0 && scheduler.runNext(healedAt + quietMs)) {
    await drainMicrotasks();
    checker.afterStep();
    if (actingAfterHealMs === null && scheduler.now >= healedAt && instances.some((i) => i.isActing())) actingAfterHealMs = scheduler.now - healedAt;
    stuck = scheduler.now === stuck.at ? { at: stuck.at, steps: stuck.steps + 1 } : { at: scheduler.now, steps: 0 };
    if (stuck.steps > SPIN_STEPS) checker.report('progress', `${SPIN_STEPS} steps without time moving: something loops without waiting`);
  }
  if (checker.violations.length > 0) world.trace(`VIOLATION ${checker.violations.map((v) => `[${v.property}] ${v.detail}`).join('; ')}`);
  return {
    seed: options.seed,
    profile: options.profile,
    ...(options.planted ? { planted: options.planted } : {}),
    instances: count,
    failsafe,
    schedule: schedule.map(describeFault),
    violations: checker.violations,
    trace: options.fullTrace ? trace : trace.slice(-TRACE_TAIL),
    traceLines,
    traceHash: hash.digest('hex'),
    steps: scheduler.steps,
    simulatedMs: scheduler.now,
    terms,
    failsafeRounds,
    actingAfterHealMs,
    requests,
  };
}

/** How long a user request may be held (ha.forwardTimeoutInMillis's default). */
const HOLD_MS = 15_000;

/**
 * Users send writes to any instance (a proxy that does not know the leader yet), while the faults run:
 * they go through the dispatch and forwarding decisions and the fenced store.
 */
function userRequests(world: SimWorld, instances: SimInstance[], counts: SimulationResult['requests'], untilMs: number): void {
  const { scheduler, rng } = world;
  scheduler.after(rng.int(1500, 4000), () => {
    if (scheduler.now > untilMs) return;
    const target = rng.pick(instances);
    const request = { id: ++counts.sent, doc: rng.pick(DOCUMENTS), deadline: scheduler.now + HOLD_MS };
    void target.receive(request).then((outcome) => {
      if (outcome === 'written' || outcome === 'refused') counts.served += 1;
      else if (outcome === 'timed-out') counts.timedOut += 1;
      else if (outcome === 'failed') counts.failed += 1;
      else counts.refused += 1;
    });
    userRequests(world, instances, counts, untilMs);
  });
}

/**
 * Since when (global ms) an instance's agent has reached the servers without a break: the agent up and
 * the servers with a quorum; null when it does not reach them now (rule 13's shared outage is judged on it).
 */
function reachingServersSince(instance: SimInstance, servers: SimServers): number | null {
  const agentUp = instance.agent.upSince;
  const quorum = servers.quorumSince;
  return agentUp === null || quorum === null ? null : Math.max(agentUp, quorum);
}

/** Every agent runs its HTTP checks each check period (one event for all of them). */
function checkRounds(scheduler: Scheduler, instances: SimInstance[], periodMs: number): void {
  scheduler.after(periodMs, () => {
    for (const instance of instances) instance.agent.checkRound();
    checkRounds(scheduler, instances, periodMs);
  });
}

function injectFault(world: SimWorld, instances: SimInstance[], entry: ScheduledFault): void {
  world.trace(`FAULT ${describeFault(entry).replace(/^t=\S+ /, '')}`);
  applyFault(world, instances, entry.fault);
}

function lastHealed(schedule: ScheduledFault[]): number {
  return schedule.reduce((last, { at, fault }) => Math.max(last, at + latestEnd(fault)), 0);
}

/** What a failing seed prints: the violation, the schedule, the last steps and how to replay it. */
export function describeFailure(result: SimulationResult): string {
  const verdict = result.violations.length === 0 ? 'no violation' : result.violations.map((v) => `[${v.property}] at t=${(v.at / 1000).toFixed(3)}s: ${v.detail}`).join('; ');
  return [
    `simulation seed ${result.seed} (profile ${result.profile}, ${result.instances} instances, failsafe ${result.failsafe ? 'on' : 'off'}${result.planted ? `, ${result.planted}` : ''}): ${verdict}`,
    'fault schedule:',
    ...result.schedule.map((line) => `  ${line}`),
    `trace (${result.trace.length === result.traceLines ? 'all' : 'last'} ${result.trace.length} lines):`,
    ...result.trace.map((line) => `  ${line}`),
    `replay: ${replayCommand(result)}`,
  ].join('\n');
}

export function replayCommand(result: Pick<SimulationResult, 'seed' | 'profile'>): string {
  return `npm run sim -- --seed ${result.seed} --profile ${result.profile}`;
}
