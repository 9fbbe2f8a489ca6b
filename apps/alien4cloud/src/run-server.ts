import { HaConfigError } from '@a4c/ha';
import { bootstrap, EXIT_BAD_CONFIG, type BootstrapOptions } from './bootstrap.js';

/**
 * Runs the server as a process entry point does. Anything that escapes bootstrap is fatal: said once.
 * Configuration problems are checked before Nest starts, but one found later (an HaConfigError from a
 * module's init) still exits 2 with its lines only, so a supervisor configured not to restart on 2 does
 * not restart-loop. Anything else (port in use, a bug) exits 1 with its stack.
 */
export function runServer(options: BootstrapOptions = {}): void {
  bootstrap(options).catch((error: unknown) => {
    if (error instanceof HaConfigError) {
      process.stderr.write(`${error.problems.join('\n')}\n`);
      process.exit(EXIT_BAD_CONFIG);
    }
    process.stderr.write(`alien4cloud: startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
