import type { INestApplication } from '@nestjs/common';
import { HttpErrorFilter } from './http/http-error.filter.js';

/**
 * Everything the A4C REST API needs on a Nest application besides its modules: the error format
 * (malformed JSON -> 400 with a reason, never a 500) and no framework fingerprint header. Called by
 * main on the app it listens with, and by the HA plugin on every full-graph child app (before init()).
 * Body validation is done by hand in each controller (no validation pipe library in this project).
 */
export function configureApplication<T extends INestApplication>(app: T): T {
  app.useGlobalFilters(new HttpErrorFilter());
  const instance: unknown = app.getHttpAdapter().getInstance();
  if (typeof (instance as { disable?: unknown })?.disable === 'function') (instance as { disable(name: string): void }).disable('x-powered-by');
  return app;
}
