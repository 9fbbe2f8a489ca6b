/** What `npm run bench` measures and for how long; every value can be changed on the command line. */
export interface BenchOptions {
  sizes: number[];
  periods: number[];
  kills: number;
  handovers: number;
  /** SIGKILLs of the leader each followed at once by its restart on the same port and id (a restart policy). */
  restarts: number;
  idleSeconds: number;
  /** The configuration (`SIZExPERIOD`) whose first SIGKILL is drawn as the SVG timeline. */
  timeline: string;
  /** Idle Consul traffic is measured in this configuration (`SIZExPERIOD`). */
  idleAt: string;
  /** The whole run must end within this: new rounds stop being started once it is spent. */
  budgetMinutes: number;
  /** Rounds per fault of the leader's own Consul agent (cut off, killed, departed), N=3, at each period; 0 = none. */
  agentLosses: number;
  /** Per proxy sample (HAProxy, nginx): SIGKILLs, SIGTERMs and step-downs each under GET + POST traffic; 0 = none. */
  forwarding: number;
  /**
   * `ha.peerCrashDetection` of the SIGKILL/SIGTERM configurations: each (size, period) runs once per
   * value, so the rows show what detection by peers gains over Consul's check.
   */
  peerDetection: boolean[];
  /** `--only`: the parts to run (kills, handovers, idle, agents, forwarding); the others are skipped. Absent = all. */
  only?: BenchPart[];
}

export const BENCH_PARTS = ['kills', 'handovers', 'restarts', 'idle', 'agents', 'forwarding'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

// Sized to finish in about 15 minutes on a 2-core machine (measured): see bench/README.md.
export const DEFAULTS: BenchOptions = {
  sizes: [2, 3, 5, 10],
  periods: [1, 5],
  kills: 20,
  handovers: 5,
  restarts: 5,
  idleSeconds: 60,
  timeline: '3x5',
  idleAt: '10x5',
  budgetMinutes: 19,
  agentLosses: 3,
  // about a minute for both proxies (bench/scenarios/forwarding-failover.ts)
  forwarding: 3,
  peerDetection: [true, false],
};

const USAGE = `usage: node dist-test/bench/main.js [--sizes 2,3,5,10] [--periods 1,5] [--kills 20] [--handovers 5] [--restarts 5]
       [--idle-seconds 60] [--idle-at 10x5] [--timeline 3x5] [--budget-minutes 19] [--agent-losses 3]
       [--forwarding 3] [--peer-detection on,off] [--only kills,handovers,restarts,idle,agents,forwarding]`;

/** Parses `--name value` pairs; every problem is reported at once, with the usage. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULTS };
  const problems: string[] = [];
  const integer = (name: string, raw: string, min: number, max: number) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`--${name}: expected an integer ${min}-${max}, got "${raw}"`);
    return value;
  };
  for (let n = 0; n < argv.length; n += 2) {
    const name = argv[n]!.replace(/^--/, '');
    const raw = argv[n + 1];
    if (raw === undefined) {
      problems.push(`--${name}: missing value`);
      break;
    }
    switch (name) {
      case 'sizes': options.sizes = raw.split(',').map((v) => integer(name, v, 2, 20)); break;
      case 'periods': options.periods = raw.split(',').map((v) => integer(name, v, 1, 60)); break;
      case 'kills': options.kills = integer(name, raw, 0, 1000); break;
      case 'handovers': options.handovers = integer(name, raw, 0, 1000); break;
      case 'restarts': options.restarts = integer(name, raw, 0, 1000); break;
      case 'idle-seconds': options.idleSeconds = integer(name, raw, 0, 600); break;
      case 'idle-at': options.idleAt = raw; break;
      case 'timeline': options.timeline = raw; break;
      case 'budget-minutes': options.budgetMinutes = integer(name, raw, 1, 240); break;
      case 'agent-losses': options.agentLosses = integer(name, raw, 0, 100); break;
      case 'forwarding': options.forwarding = integer(name, raw, 0, 100); break;
      case 'peer-detection': {
        const values = raw.split(',');
        const wrong = values.filter((v) => v !== 'on' && v !== 'off');
        if (wrong.length || values.length === 0) problems.push(`--peer-detection: expected on, off or on,off, got "${raw}"`);
        options.peerDetection = [...new Set(values.map((v) => v === 'on'))];
        break;
      }
      case 'only': {
        const parts = raw.split(',');
        const unknown = parts.filter((p) => !(BENCH_PARTS as readonly string[]).includes(p));
        if (unknown.length) problems.push(`--only: unknown part(s) ${unknown.join(', ')} (expected ${BENCH_PARTS.join(', ')})`);
        options.only = parts as BenchPart[];
        break;
      }
      default: problems.push(`unknown option --${name}`);
    }
  }
  if (problems.length) throw new Error(`${problems.join('\n')}\n${USAGE}`);
  return options.only ? onlyParts(options, options.only) : options;
}

/** The options with every part not in `only` switched off (a subset of the bench, e.g. `--only kills,agents`). */
function onlyParts(options: BenchOptions, only: readonly BenchPart[]): BenchOptions {
  return {
    ...options,
    kills: only.includes('kills') ? options.kills : 0,
    handovers: only.includes('handovers') ? options.handovers : 0,
    restarts: only.includes('restarts') ? options.restarts : 0,
    idleSeconds: only.includes('idle') ? options.idleSeconds : 0,
    agentLosses: only.includes('agents') ? options.agentLosses : 0,
    forwarding: only.includes('forwarding') ? options.forwarding : 0,
  };
}

/** A configuration of the SIGKILL/SIGTERM part: one cluster, measured alone. */
export interface Configuration {
  size: number;
  period: number;
  peerDetection: boolean;
  /** `SIZExPERIOD`, as `--idle-at` and `--timeline` name it (both measured with peer detection on, or off when only off runs). */
  key: string;
  weight: number;
}

/** Every (size, period, peer detection) triple, in run order, with its share of the time budget. */
export function configurations(options: BenchOptions): Configuration[] {
  // a configuration with nothing to measure (all its parts switched off by --only) is not started at all
  const first = options.peerDetection[0];
  const measures = (key: string, detection: boolean) => options.kills + options.handovers + options.restarts > 0 || (options.idleSeconds > 0 && key === options.idleAt && detection === first);
  return options.sizes.flatMap((size) =>
    options.periods.flatMap((period) =>
      options.peerDetection.map((peerDetection) => ({
        size,
        period,
        peerDetection,
        key: `${size}x${period}`,
        // a round costs about one check period (failover, without peer detection) plus a restart and a
        // check to become healthy again, both also about a period; bigger clusters add start-up time and
        // CPU contention
        weight: (options.kills + options.handovers + options.restarts) * ((peerDetection ? 1 : 2) + 2 * period) + size * 2,
      })),
    ).filter((c) => measures(c.key, c.peerDetection)),
  );
}

/** The agent-loss runs (N=3, one per period) with their share of the budget: a round is about 20 s per fault. */
export function agentLossRuns(options: BenchOptions): Array<{ size: number; period: number; weight: number }> {
  if (options.agentLosses === 0) return [];
  return options.periods.map((period) => ({ size: 3, period, weight: options.agentLosses * 3 * 20 + 6 }));
}
