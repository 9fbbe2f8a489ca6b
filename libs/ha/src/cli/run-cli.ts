import { parseCliArgs, type Command } from './cli-args.js';
import { loadCliSettings } from './cli-config.js';
import { CliFailure, EXIT, UsageError } from './cli-errors.js';
import { history, leader, list, switchover, watch, type CliOutput } from './commands.js';
import { helpText } from './help.js';
import { buildVersion } from '../metrics/build-version.js';

export interface CliIo extends CliOutput {
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

const RUN: Record<Command, typeof list> = { list, leader, switchover, watch, history };

/** Runs one `a4c-ha` invocation; resolves with the exit code. Errors are one line on stderr (per problem). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseCliArgs(argv);
    if (args.version) {
      io.out(`a4c-ha ${buildVersion()}`);
      return EXIT.ok;
    }
    if (args.help) {
      io.out(helpText(args.command).trimEnd());
      return EXIT.ok;
    }
    if (!args.command) throw new UsageError('expected a command (list, leader, switchover, watch, history); see a4c-ha --help');
    const settings = loadCliSettings(args, io.env, io.cwd);
    return await RUN[args.command]({ args, settings, io, json: args.flags.format === 'json' });
  } catch (error) {
    if (error instanceof UsageError) {
      for (const line of error.message.split('\n')) io.err(`a4c-ha: ${line}`);
      return EXIT.usage;
    }
    if (error instanceof CliFailure) {
      io.err(`a4c-ha: ${error.message.split('\n')[0]}`);
      return error.exitCode;
    }
    io.err(`a4c-ha: unexpected error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return EXIT.failed;
  }
}
