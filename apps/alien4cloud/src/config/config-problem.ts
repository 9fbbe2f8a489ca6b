import { describeValue as describeConfigValue } from '@a4c/ha';
import { isSecretPath } from './secret-keys.js';

/** One thing wrong with the configuration, printed as `path: message` (one line per problem). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.path}: ${problem.message}`;
}

/** The other way: a `path: message` line (as the HA plugin reports its problems) back into a problem. */
export function problemOfLine(line: string, fallbackPath = 'ha'): ConfigProblem {
  const separator = line.indexOf(': ');
  return separator < 0 ? { path: fallbackPath, message: line } : { path: line.slice(0, separator), message: line.slice(separator + 2) };
}

/** Renders a bad value for a message (the plugin's renderer): `<redacted>` for secrets, by path. */
export function describeValue(value: unknown, path: string): string {
  return describeConfigValue(value, isSecretPath(path));
}
