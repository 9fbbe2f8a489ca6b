import { resolve } from 'node:path';
import type { AppConfig } from './app-config.js';
import { parseCommandLine, type CommandLineFlags } from './command-line.js';
import { CONFIG_DEFAULTS } from './config-defaults.js';
import { readConfigFile } from './config-file.js';
import { applyOverride } from './config-override.js';
import type { ConfigProblem } from './config-problem.js';
import { configSchema } from './config-schema.js';
import { parseEnvironment } from './environment.js';

export interface LoadConfigInput {
  /** The arguments after the script: `process.argv.slice(2)`. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What relative paths (config file, directories, key files) are relative to. */
  readonly cwd: string;
}

export interface LoadConfigResult {
  /** Set only when there is no problem. */
  readonly config: AppConfig | undefined;
  /** Every problem found, in the order file, environment, command line, validation. */
  readonly problems: ConfigProblem[];
  /** The absolute path of the file that was read, if any. */
  readonly configFile: string | undefined;
  /** --help, --version, --check-config. */
  readonly flags: CommandLineFlags;
}

/**
 * Builds the configuration: file (`--config FILE`, default config/alien4cloud-config.yml) < environment
 * (`A4C_<section>__<key>`) < command line (`--dotted.key=value`), then validates it all at once so the
 * operator sees every problem in one go. Reads the file system but changes nothing: testable as is.
 */
export function loadConfig({ argv, env, cwd }: LoadConfigInput): LoadConfigResult {
  const commandLine = parseCommandLine(argv);
  const fileName = resolve(cwd, commandLine.configFile ?? CONFIG_DEFAULTS.configFile);
  const file = readConfigFile(fileName, commandLine.configFile !== undefined);
  const environment = parseEnvironment(env);

  const raw = structuredClone(file.raw);
  const overrideProblems: ConfigProblem[] = [];
  for (const override of [...environment.overrides, ...commandLine.overrides]) {
    // `--orchestrators.0.pollIntervalInMillis=100` without a file tunes the default list, not an empty one.
    if (override.path[0] === 'orchestrators' && override.path.length > 1 && !Object.hasOwn(raw, 'orchestrators')) {
      raw.orchestrators = structuredClone(CONFIG_DEFAULTS.orchestrators) as unknown;
    }
    const problem = applyOverride(raw, override);
    if (problem) overrideProblems.push(problem);
  }

  const problems = [...file.problems, ...environment.problems, ...commandLine.problems, ...overrideProblems];
  const validated = configSchema(raw, '', { problems, cwd });
  return {
    config: problems.length === 0 ? validated : undefined,
    problems,
    configFile: file.found ? fileName : undefined,
    flags: commandLine.flags,
  };
}
