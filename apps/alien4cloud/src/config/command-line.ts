import type { ConfigProblem } from './config-problem.js';
import { makeOverride, type ConfigOverride } from './config-override.js';

export interface CommandLine {
  /** The value of `--config FILE` / `--config=FILE`, when given. */
  readonly configFile?: string;
  readonly overrides: ConfigOverride[];
  readonly problems: ConfigProblem[];
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Parses `process.argv.slice(2)`: `--config FILE` and any number of `--dotted.key=value`. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const overrides: ConfigOverride[] = [];
  const problems: ConfigProblem[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--config') {
      configFile = argv[++i];
      if (!configFile) problems.push({ path: '--config', message: 'expected a file path after --config' });
      continue;
    }
    const match = /^--([^=]+)=(.*)$/s.exec(arg);
    const segments = match?.[1].split('.');
    if (!match || !segments || !segments.every((s) => SEGMENT.test(s))) {
      problems.push({ path: 'command line', message: `expected --config FILE or --dotted.key=value, got ${JSON.stringify(arg.replace(/=.*$/s, '=...'))}` });
      continue;
    }
    if (match[1] === 'config') configFile = match[2];
    else overrides.push(makeOverride(segments, match[2]));
  }
  return { configFile, overrides, problems };
}
