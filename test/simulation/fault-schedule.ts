import type { Prng } from './prng.js';

/**
 * The faults the scheduler injects (docs/architecture.md § Deterministic simulation). Each one starts at
 * `at` (ms of simulated time) and, unless it is instantaneous, ends `durationMs` later.
 */
export type Fault =
  | { kind: 'crash'; target: string; durationMs: number }
  | { kind: 'freeze'; target: string; durationMs: number }
  | { kind: 'agent-cut'; target: string; durationMs: number; detectMs: number; rejoinMs: number }
  | { kind: 'agent-kill'; target: string; durationMs: number; detectMs: number; rejoinMs: number; keepState: boolean }
  | { kind: 'agent-leave'; target: string; durationMs: number; rejoinMs: number }
  /**
   * A settled leader's agent cut off and, with it, `others` more (each picked among the other instances,
   * back after its own time: a staggered recovery): rule 13's failsafe with some members sharing the
   * leader's outage and the rest reaching the servers. It waits (up to LEADER_WAIT_MS) for a leader whose
   * members list is written; none by then: nothing happens.
   */
  | { kind: 'leader-cut-with-others'; durationMs: number; detectMs: number; rejoinMs: number; others: { pick: number; durationMs: number }[] }
  | { kind: 'quorum-loss'; durationMs: number }
  /** Every agent refuses; they come back one by one (`returns`: ms after the start): a partial recovery. */
  | { kind: 'total-outage'; durationMs: number; returns: { target: string; afterMs: number }[]; rejoinMs: number }
  | { kind: 'link-cut'; a: string; b: string; durationMs: number }
  | { kind: 'link-slow'; a: string; b: string; durationMs: number; extraMs: number }
  | { kind: 'health-down'; target: string; durationMs: number }
  | { kind: 'step-down'; durationMs: number };

/** How long a fault aimed at a settled leader waits for one. */
export const LEADER_WAIT_MS = 10_000;

export interface ScheduledFault {
  readonly at: number;
  readonly fault: Fault;
}

export interface ScheduleShape {
  instances: string[];
  /** Faults start within [0, faultWindowMs); everything has healed by faultWindowMs + the longest duration. */
  faultWindowMs: number;
  /** Mean pause between two fault starts. */
  meanGapMs: number;
  /** No fault lasts longer (a short profile for `npm test`, the full one for `npm run sim`). */
  maxDurationMs: number;
  /** Kinds the run is about (rule 13's outages when failsafe is on): always drawn, at FOCUS_FACTOR times their weight. */
  focus?: readonly Fault['kind'][];
}

const KINDS: { kind: Fault['kind']; weight: number }[] = [
  { kind: 'crash', weight: 3 },
  { kind: 'freeze', weight: 4 },
  { kind: 'agent-cut', weight: 3 },
  { kind: 'agent-kill', weight: 2 },
  { kind: 'agent-leave', weight: 1 },
  { kind: 'leader-cut-with-others', weight: 3 },
  { kind: 'quorum-loss', weight: 2 },
  { kind: 'total-outage', weight: 1 },
  { kind: 'link-cut', weight: 3 },
  { kind: 'link-slow', weight: 2 },
  { kind: 'health-down', weight: 1 },
  { kind: 'step-down', weight: 1 },
];

/** Each fault kind takes part in a seed with this chance (swarm testing; at least one kind always does). */
const KIND_SHARE = 0.5;
/** Share of the seeds whose faults come CALM_FACTOR times further apart (one or two in the short profile). */
const CALM_SHARE = 0.5;
const CALM_FACTOR = 6;
const FOCUS_FACTOR = 4;

/**
 * A random fault schedule, a function of the generator's state alone. Swarm testing: each seed draws
 * which kinds of fault it uses, and half the seeds are calm (one or two faults), so that some runs let
 * one fault play out to its end (a failsafe that lasts until another instance could take over) without
 * the others hiding it (a crash or a freeze of every instance that mattered).
 */
export function randomSchedule(rng: Prng, shape: ScheduleShape): ScheduledFault[] {
  const focus = shape.focus ?? [];
  const kinds = KINDS.filter((k) => rng.chance(KIND_SHARE) || focus.includes(k.kind)).map((k) => (focus.includes(k.kind) ? { ...k, weight: k.weight * FOCUS_FACTOR } : k));
  if (kinds.length === 0) kinds.push(rng.pick(KINDS));
  const meanGapMs = rng.chance(CALM_SHARE) ? shape.meanGapMs * CALM_FACTOR : shape.meanGapMs;
  const schedule: ScheduledFault[] = [];
  for (let at = rng.int(500, meanGapMs * 2); at < shape.faultWindowMs; at += rng.int(200, meanGapMs * 2)) {
    const fault = randomFault(rng, shape.instances, kinds);
    schedule.push({ at, fault: capped(fault, shape.maxDurationMs) });
  }
  return schedule;
}

function capped(fault: Fault, maxMs: number): Fault {
  if (fault.kind === 'leader-cut-with-others') {
    return { ...fault, durationMs: Math.min(fault.durationMs, maxMs), others: fault.others.map((o) => ({ ...o, durationMs: Math.min(o.durationMs, maxMs) })) };
  }
  if (fault.kind !== 'total-outage') return { ...fault, durationMs: Math.min(fault.durationMs, maxMs) };
  const durationMs = Math.min(fault.durationMs, maxMs);
  return { ...fault, durationMs, returns: fault.returns.map((r) => ({ ...r, afterMs: Math.min(r.afterMs, durationMs) })) };
}

function randomFault(rng: Prng, instances: string[], kinds: typeof KINDS): Fault {
  let roll = rng.next() * kinds.reduce((sum, k) => sum + k.weight, 0);
  const kind = kinds.find((k) => (roll -= k.weight) < 0)?.kind ?? kinds[0]!.kind;
  const target = rng.pick(instances);
  const detectMs = rng.int(1500, 10_000);
  const rejoinMs = rng.int(200, 5000);
  switch (kind) {
    case 'crash':
      return { kind, target, durationMs: rng.int(100, 10_000) };
    case 'freeze':
      return { kind, target, durationMs: rng.chance(0.5) ? rng.int(50, 3000) : rng.int(3000, 20_000) };
    case 'agent-cut':
      return { kind, target, durationMs: rng.int(500, 40_000), detectMs, rejoinMs };
    case 'agent-kill':
      return { kind, target, durationMs: rng.int(500, 30_000), detectMs, rejoinMs, keepState: rng.chance(0.7) };
    case 'agent-leave':
      return { kind, target, durationMs: rng.int(500, 20_000), rejoinMs };
    case 'leader-cut-with-others': {
      // one to all but one of the others: some members share the leader's outage, at least one does not
      const others = Array.from({ length: rng.int(Math.min(1, instances.length - 2), instances.length - 2) }, () => ({ pick: rng.int(0, 1000), durationMs: rng.int(500, 40_000) }));
      return { kind, durationMs: rng.int(5000, 40_000), detectMs, rejoinMs, others };
    }
    case 'quorum-loss':
      return { kind, durationMs: rng.int(1000, 60_000) };
    case 'total-outage': {
      const durationMs = rng.int(2000, 60_000);
      const returns = instances.map((t) => ({ target: t, afterMs: rng.chance(0.5) ? durationMs : rng.int(1000, durationMs) }));
      return { kind, durationMs, returns, rejoinMs };
    }
    case 'link-cut':
    case 'link-slow': {
      const others = instances.filter((i) => i !== target);
      const b = rng.pick(others.length > 0 ? others : instances);
      return kind === 'link-cut' ? { kind, a: target, b, durationMs: rng.int(200, 30_000) } : { kind, a: target, b, durationMs: rng.int(200, 30_000), extraMs: rng.int(100, 3000) };
    }
    case 'health-down':
      return { kind, target, durationMs: rng.int(500, 15_000) };
    case 'step-down':
      return { kind, durationMs: 0 };
  }
}

/** When a fault starting on time has healed (ms after its start): its longest part. */
export function latestEnd(fault: Fault): number {
  if (fault.kind !== 'leader-cut-with-others') return fault.durationMs;
  return Math.max(fault.durationMs, ...fault.others.map((o) => o.durationMs));
}

/** One readable line per fault: the replayable schedule a failing seed prints. */
export function describeFault({ at, fault }: ScheduledFault): string {
  const time = `t=${(at / 1000).toFixed(3)}s`;
  const lasting = (ms: number) => `for ${(ms / 1000).toFixed(3)}s`;
  switch (fault.kind) {
    case 'agent-cut':
      return `${time} agent of ${fault.target} cut off from the servers ${lasting(fault.durationMs)} (detected after ${fault.detectMs} ms, rejoin ${fault.rejoinMs} ms)`;
    case 'agent-kill':
      return `${time} agent of ${fault.target} killed ${lasting(fault.durationMs)} (detected after ${fault.detectMs} ms, restarts ${fault.keepState ? 'with' : 'without'} its data)`;
    case 'agent-leave':
      return `${time} agent of ${fault.target} leaves ${lasting(fault.durationMs)}`;
    case 'leader-cut-with-others':
      return `${time} agent of the next settled leader cut off ${lasting(fault.durationMs)}, with ${fault.others.length} other agent(s) ${fault.others.map((o) => lasting(o.durationMs)).join(', ')} (detected after ${fault.detectMs} ms, rejoin ${fault.rejoinMs} ms)`;
    case 'total-outage':
      return `${time} every agent refusing ${lasting(fault.durationMs)}, back: ${fault.returns.map((r) => `${r.target}@+${r.afterMs}ms`).join(' ')}`;
    case 'quorum-loss':
      return `${time} servers lose quorum ${lasting(fault.durationMs)}`;
    case 'link-cut':
      return `${time} link ${fault.a}-${fault.b} cut ${lasting(fault.durationMs)}`;
    case 'link-slow':
      return `${time} link ${fault.a}-${fault.b} slowed by up to ${fault.extraMs} ms ${lasting(fault.durationMs)}`;
    case 'step-down':
      return `${time} step-down asked of the lock holder`;
    default:
      return `${time} ${fault.kind} ${fault.target} ${lasting(fault.durationMs)}`;
  }
}
