import 'reflect-metadata';
import { bootstrap } from './bootstrap.js';

// Anything that escapes bootstrap (port in use, unreadable key file, ...) is fatal: say it once, exit 1.
bootstrap().catch((error: unknown) => {
  process.stderr.write(`alien4cloud: startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
