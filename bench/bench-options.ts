/** What `npm run bench` measures and for how long; every value can be changed on the command line. */
export interface BenchOptions {
  sizes: number[];
  periods: number[];
  kills: number;
  handovers: number;
  idleSeconds: number;
  /** The configuration (`SIZExPERIOD`) whose first SIGKILL is drawn as the SVG timeline. */
  timeline: string;
  /** Idle Consul traffic is measured in this configuration (`SIZExPERIOD`). */
  idleAt: string;
  /** The whole run must end within this: new rounds stop being started once it is spent. */
  budgetMinutes: number;
}

// Sized to finish in about 15 minutes on a 2-core machine (measured): see bench/README.md.
export const DEFAULTS: BenchOptions = {
  sizes: [2, 3, 5, 10],
  periods: [1, 5],
  kills: 20,
  handovers: 5,
  idleSeconds: 60,
  timeline: '3x5',
  idleAt: '10x5',
  budgetMinutes: 19,
};

const USAGE = `usage: node dist/bench/main.js [--sizes 2,3,5,10] [--periods 1,5] [--kills 20] [--handovers 5]
       [--idle-seconds 60] [--idle-at 10x5] [--timeline 3x5] [--budget-minutes 19]`;

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
      case 'idle-seconds': options.idleSeconds = integer(name, raw, 0, 600); break;
      case 'idle-at': options.idleAt = raw; break;
      case 'timeline': options.timeline = raw; break;
      case 'budget-minutes': options.budgetMinutes = integer(name, raw, 1, 240); break;
      default: problems.push(`unknown option --${name}`);
    }
  }
  if (problems.length) throw new Error(`${problems.join('\n')}\n${USAGE}`);
  return options;
}

/** Every (size, period) pair, in run order, with its share of the time budget. */
export function configurations(options: BenchOptions): Array<{ size: number; period: number; key: string; weight: number }> {
  return options.sizes.flatMap((size) =>
    options.periods.map((period) => ({
      size,
      period,
      key: `${size}x${period}`,
      // a round costs about one check period (failover) plus a restart and a check to become healthy
      // again, both also about a period; bigger clusters add start-up time and CPU contention
      weight: (options.kills + options.handovers) * (2 + 2 * period) + size * 2,
    })),
  );
}
