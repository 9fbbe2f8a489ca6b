import { UsageError } from './cli-errors.js';

const COMMANDS = ['list', 'leader', 'switchover', 'watch', 'history'] as const;
export type Command = (typeof COMMANDS)[number];

/** The flags every command takes; commands add theirs (COMMAND_FLAGS). */
const COMMON_FLAGS = ['config', 'consul', 'token', 'format', 'help', 'version'] as const;
const COMMAND_FLAGS: Record<Command, readonly string[]> = {
  list: [],
  leader: [],
  switchover: ['candidate', 'timeout-ms'],
  watch: ['interval-ms', 'count'],
  history: ['limit'],
};
const BOOLEAN_FLAGS = new Set(['help', 'version']);

export interface CliArgs {
  command: Command | undefined;
  help: boolean;
  version: boolean;
  flags: Record<string, string>;
  /** `--section.key=value` overrides, as the server takes them (only `ha.*` matter here). */
  overrides: { path: string[]; text: string }[];
}

/**
 * `a4c-ha <command> [--flag value | --flag=value] [--ha.key=value ...]`. An unknown command or flag, a
 * missing value or a stray argument is a UsageError (exit 2) naming it.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { command: undefined, help: false, version: false, flags: {}, overrides: [] };
  const rest = [...argv];
  if (rest[0] !== undefined && !rest[0].startsWith('-')) {
    const name = rest.shift()!;
    if (!(COMMANDS as readonly string[]).includes(name)) throw new UsageError(`unknown command "${name}" (commands: ${COMMANDS.join(', ')})`);
    args.command = name as Command;
  }
  const allowed = new Set<string>([...COMMON_FLAGS, ...(args.command ? COMMAND_FLAGS[args.command] : [])]);
  while (rest.length > 0) {
    const arg = rest.shift()!;
    const match = /^--([A-Za-z0-9_.-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const [, name, inline] = match;
    if (name.includes('.')) {
      if (inline === undefined) throw new UsageError(`expected --${name}=value`);
      args.overrides.push({ path: name.split('.'), text: inline });
      continue;
    }
    if (!allowed.has(name)) throw new UsageError(`unknown flag --${name}${args.command ? ` for ${args.command}` : ''}`);
    if (BOOLEAN_FLAGS.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      if (name === 'help') args.help = true;
      else args.version = true;
      continue;
    }
    const value = inline ?? rest.shift();
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    args.flags[name] = value;
  }
  const format = args.flags.format;
  if (format !== undefined && format !== 'table' && format !== 'json') throw new UsageError(`--format: expected table or json, got ${JSON.stringify(format)}`);
  return args;
}

/** A positive integer flag, or the default when absent. */
export function integerFlag(args: CliArgs, name: string, fallback: number, min = 1): number {
  const text = args.flags[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(text)}`);
  return value;
}
