import 'reflect-metadata';
import { HaConfigError } from '@a4c/ha';
import { bootstrap, EXIT_BAD_CONFIG } from './bootstrap.js';

// Anything that escapes bootstrap is fatal: said once. Configuration problems are checked before Nest
// starts, but one found later (an HaConfigError from a module's init) still exits 2 with its lines only,
// so a supervisor configured not to restart on 2 does not restart-loop. Anything else (port in use, a
// bug) exits 1 with its stack.
bootstrap().catch((error: unknown) => {
  if (error instanceof HaConfigError) {
    process.stderr.write(`${error.problems.join('\n')}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
  process.stderr.write(`alien4cloud: startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
