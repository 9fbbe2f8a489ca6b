import { ConsoleLogger } from '@nestjs/common';
import { HA_SECRET_KEYS } from '@a4c/ha';

export type LogFormat = 'text' | 'json';

/** Field names masked wherever they appear in a log call's fields: the HA secrets and the store's. */
const SECRET_FIELDS = [...HA_SECRET_KEYS, 'password', 'apiKey'];

/**
 * The logger of the parent context and, through Nest's static Logger, of every full graph it boots:
 * Nest's own ConsoleLogger. `logging.format: text` prints Nest's console lines; `json` prints one object
 * per line, `{ level, pid, timestamp, message, context, ...fields }` (errors on stderr with `stack`).
 * Structured calls pass their fields after the message, e.g. the HA transition lines:
 * `logger.log('backup -> leader: lock acquired', { instanceId, term, sessionId, reason })`. In JSON the
 * fields are top-level keys (a field never replaces level, pid, timestamp, message or context); in text
 * they follow the message. Secret fields are masked in both.
 */
export function createAppLogger(format: LogFormat, options: { colors?: boolean } = {}): ConsoleLogger {
  const json = format === 'json';
  return new ConsoleLogger({ prefix: 'A4C', json, colors: !json && (options.colors ?? false), flattenParams: true, redact: SECRET_FIELDS });
}
