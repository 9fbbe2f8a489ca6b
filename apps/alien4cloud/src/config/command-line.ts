import { reservedKeyMessage, reservedSegmentOf } from '@a4c/ha';
import type { ConfigProblem } from './config-problem.js';
import { makeOverride, type ConfigOverride } from './config-override.js';
import { isSecretPath } from './secret-keys.js';

/** What the process is asked to do besides serving: print and exit, or check and exit. */
export interface CommandLineFlags {
  readonly help: boolean;
  readonly version: boolean;
  readonly checkConfig: boolean;
}

export interface CommandLine {
  /** The value of `--config FILE` / `--config=FILE`, when given. */
  readonly configFile?: string;
  readonly overrides: ConfigOverride[];
  readonly problems: ConfigProblem[];
  readonly flags: CommandLineFlags;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const FLAGS: ReadonlyMap<string, keyof CommandLineFlags> = new Map([
  ['--help', 'help'],
  ['-h', 'help'],
  ['--version', 'version'],
  ['--check-config', 'checkConfig'],
]);

/** Parses `process.argv.slice(2)`: the flags, `--config FILE` and any number of `--dotted.key=value`. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const overrides: ConfigOverride[] = [];
  const problems: ConfigProblem[] = [];
  const flags = { help: false, version: false, checkConfig: false };
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const flag = FLAGS.get(arg);
    if (flag) {
      flags[flag] = true;
      continue;
    }
    if (arg === '--config') {
      configFile = argv[++i];
      if (!configFile) problems.push({ path: '--config', message: 'expected a file path after --config' });
      continue;
    }
    const match = /^--([^=]+)=(.*)$/s.exec(arg);
    const segments = match?.[1].split('.');
    if (!match || !segments || !segments.every((s) => SEGMENT.test(s))) {
      problems.push({ path: 'command line', message: `expected --config FILE or --dotted.key=value (see --help), got ${JSON.stringify(arg.replace(/=.*$/s, '=...'))}` });
      continue;
    }
    if (reservedSegmentOf(segments)) {
      problems.push({ path: match[1], message: reservedKeyMessage(match[2], isSecretPath(match[1])) });
      continue;
    }
    if (match[1] === 'config') configFile = match[2];
    else overrides.push(makeOverride(segments, match[2]));
  }
  return { configFile, overrides, problems, flags };
}
