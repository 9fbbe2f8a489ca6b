import { createHash } from 'node:crypto';
import type { ElectorTimings } from '../../libs/ha/src/election/ports.js';
import { describeFault, randomSchedule, type ScheduledFault } from './fault-schedule.js';
import { applyFault } from './fault-injector.js';
import { InvariantChecker, type Violation } from './invariants.js';
import { Prng } from './prng.js';
import { drainMicrotasks, Scheduler } from './scheduler.js';
import { SimInstance, type SimWorld } from './sim-instance.js';
import { SimNetwork } from './sim-network.js';
import { SimServers } from './sim-servers.js';
import { SimElasticsearch } from './sim-store.js';

/**
 * Timings of the simulated instances: the relations of docs/architecture.md (renew deadline < TTL, lease
 * < renew deadline, margin over the lease for clock rates), scaled so that a run covers many terms.
 */
export const SIM_TIMINGS: ElectorTimings = {
  sessionTtlMs: 15_000,
  renewIntervalMs: 5_000,
  renewDeadlineMs: 10_000,
  renewRetryMs: 1_000,
  leaseMs: 4_000,
  proveIntervalMs: 1_000,
  proveRetryMs: 200,
  takeoverMarginMs: 400,
  handoverWindowMs: 3_000,
  blockingWaitMs: 60_000,
  retryDelayMs: 3_000,
  lockDelayMs: 0,
  healthCheckIntervalMs: 1_000,
  activationTimeoutMs: 10_000,
  stepDownHoldOffMs: 3_000,
};

/** Clock rates lie in [1 - skew, 1 + skew]: (lease + margin) / (1 + skew) stays above lease / (1 - skew). */
export const CLOCK_SKEW = 0.02;

export interface SimulationOptions {
  seed: number;
  /** 2-5; drawn from the seed when absent. */
  instances?: number;
  /** Faults start within this window and last at most `maxFaultMs`; the run ends `quietMs` after the last one healed. */
  faultWindowMs?: number;
  maxFaultMs?: number;
  quietMs?: number;
  meanGapMs?: number;
  /** Keep every trace line (a replay), not only the last ones. */
  fullTrace?: boolean;
}

export interface SimulationResult {
  seed: number;
  instances: number;
  schedule: string[];
  violations: Violation[];
  /** The last trace lines before the end (all of them with fullTrace). */
  trace: string[];
  /** Hash of the whole trace: equal for equal seeds (determinism). */
  traceHash: string;
  steps: number;
  simulatedMs: number;
  terms: number;
}

const TRACE_TAIL = 60;

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
  const count = options.instances ?? faultRng.int(2, 5);
  const ids = Array.from({ length: count }, (_, i) => `i${i + 1}`);
  const faultWindowMs = options.faultWindowMs ?? 40_000;
  const quietMs = options.quietMs ?? 20_000;
  const scheduler = new Scheduler();
  const hash = createHash('sha1');
  const trace: string[] = [];
  let terms = 0;
  const instances: SimInstance[] = [];
  const checker = new InvariantChecker(instances, () => scheduler.now);
  const es = new SimElasticsearch(scheduler, rng);
  const world: SimWorld = {
    scheduler,
    servers: new SimServers(scheduler),
    network: new SimNetwork(scheduler, rng),
    es,
    rng,
    timings: SIM_TIMINGS,
    clockSkew: CLOCK_SKEW,
    instance: (id) => instances.find((i) => i.id === id),
    trace: (line) => {
      const stamped = `t=${(scheduler.now / 1000).toFixed(3)}s ${line}`;
      hash.update(stamped);
      if (line.includes('-> activating')) terms += 1;
      trace.push(stamped);
      if (!options.fullTrace && trace.length > TRACE_TAIL * 2) trace.splice(0, trace.length - TRACE_TAIL);
    },
    writeLeaving: (write) => checker.writeLeaving(world.instance(write.writer), write.epoch),
  };
  es.onAccepted.push((write) => checker.accepted(write));
  const schedule = randomSchedule(faultRng, { instances: ids, faultWindowMs, meanGapMs: options.meanGapMs ?? 2500, maxDurationMs: options.maxFaultMs ?? 60_000 });
  for (const id of ids) instances.push(new SimInstance(id, world));
  for (const entry of schedule) scheduler.at(entry.at, () => injectFault(world, instances, entry));
  const end = lastHealed(schedule) + quietMs;
  while (checker.violations.length === 0 && scheduler.runNext(end)) {
    if (scheduler.steps > 200_000) throw new Error(`runaway: ${trace.slice(-20).join("\n")}`);
    await drainMicrotasks();
    checker.afterStep();
  }
  if (checker.violations.length > 0) world.trace(`VIOLATION ${checker.violations.map((v) => `[${v.property}] ${v.detail}`).join('; ')}`);
  return {
    seed: options.seed,
    instances: count,
    schedule: schedule.map(describeFault),
    violations: checker.violations,
    trace: options.fullTrace ? trace : trace.slice(-TRACE_TAIL),
    traceHash: hash.digest('hex'),
    steps: scheduler.steps,
    simulatedMs: scheduler.now,
    terms,
  };
}

function injectFault(world: SimWorld, instances: SimInstance[], entry: ScheduledFault): void {
  world.trace(`FAULT ${describeFault(entry).replace(/^t=\S+ /, '')}`);
  applyFault(world, instances, entry.fault);
}

function lastHealed(schedule: ScheduledFault[]): number {
  return schedule.reduce((last, { at, fault }) => Math.max(last, at + fault.durationMs), 0);
}

/** What a failing seed prints: the violation, the schedule, the last steps and how to replay it. */
export function describeFailure(result: SimulationResult): string {
  return [
    `simulation seed ${result.seed} (${result.instances} instances): ${result.violations.map((v) => `[${v.property}] at t=${(v.at / 1000).toFixed(3)}s: ${v.detail}`).join('; ')}`,
    'fault schedule:',
    ...result.schedule.map((line) => `  ${line}`),
    `last ${result.trace.length} trace lines:`,
    ...result.trace.map((line) => `  ${line}`),
    `replay: npm run sim -- --seed ${result.seed}`,
  ].join('\n');
}
