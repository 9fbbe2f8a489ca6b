import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';

export type LogFormat = 'text' | 'json';

/** Where a JSON line goes: stdout for every level but errors (stderr), as Nest's console logger does. */
export interface LogSink {
  stdout(line: string): void;
  stderr(line: string): void;
}

const processSink: LogSink = {
  stdout: (line) => process.stdout.write(line),
  stderr: (line) => process.stderr.write(line),
};

/** One log call, normalised: what every format prints. */
interface LogEntry {
  readonly level: LogLevel;
  readonly context?: string;
  readonly message: string;
  /** Structured fields (`instanceId`, `term`, `sessionId`, `reason`, ...) from a payload object. */
  readonly fields: Record<string, unknown>;
  readonly stack?: string;
}

/**
 * The Nest LoggerService of the parent context and, through Nest's static Logger, of every full graph it
 * boots. `logging.format: text` prints Nest's console lines; `json` prints one object per line:
 * `{ time, level, context, message, ...fields }` (plus `stack` on errors that have one).
 *
 * Structured calls: pass an object with a `message` and any fields, e.g.
 * `logger.log({ message: 'backup -> leader: lock acquired', instanceId, term, sessionId, reason }, 'HA')`
 * (through `new Logger('HA').log({...})`). In JSON the fields become top-level keys; in text they follow
 * the message as `[instanceId=a term=3 ...]` (null as `-`), leaving out a text the message already shows.
 */
export class A4cLogger implements LoggerService {
  private readonly console?: ConsoleLogger;
  private readonly sink: LogSink;
  private readonly now: () => Date;

  constructor(
    private readonly format: LogFormat,
    options: { colors?: boolean; sink?: LogSink; now?: () => Date } = {},
  ) {
    this.sink = options.sink ?? processSink;
    this.now = options.now ?? (() => new Date());
    if (format === 'text') this.console = new ConsoleLogger({ prefix: 'A4C', colors: options.colors ?? false });
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write(entryOf('log', message, params));
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write(entryOf('error', message, params));
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write(entryOf('warn', message, params));
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write(entryOf('debug', message, params));
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write(entryOf('verbose', message, params));
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write(entryOf('fatal', message, params));
  }

  private write(entry: LogEntry): void {
    if (this.console) return this.writeText(this.console, entry);
    const { level, context, message, fields, stack } = entry;
    const record: Record<string, unknown> = { time: this.now().toISOString(), level, context: context ?? null, message };
    for (const [key, value] of Object.entries(fields)) if (!Object.hasOwn(record, key)) record[key] = value;
    if (stack) record.stack = stack;
    const line = JSON.stringify(record, safeReplacer());
    if (level === 'error' || level === 'fatal') this.sink.stderr(`${line}\n`);
    else this.sink.stdout(`${line}\n`);
  }

  private writeText(console: ConsoleLogger, { level, context, message, fields, stack }: LogEntry): void {
    // a text already in the message (the reason of a transition line) is not repeated; numbers always are
    const repeated = (value: unknown) => typeof value === 'string' && value.length >= 3 && message.includes(value);
    const shown = Object.entries(fields)
      .filter(([, value]) => value !== undefined && !repeated(value))
      .map(([key, value]) => `${key}=${value === null ? '-' : typeof value === 'string' ? value : JSON.stringify(value)}`);
    const text = shown.length > 0 ? `${message} [${shown.join(' ')}]` : message;
    const args: unknown[] = [text];
    if (stack && (level === 'error' || level === 'fatal')) args.push(stack);
    if (context !== undefined) args.push(context);
    console[level](...(args as [unknown, ...unknown[]]));
  }
}

/** Nest calls `log(message, ...params, context)`: the last string param is the context, a stack may precede it. */
function entryOf(level: LogLevel, message: unknown, params: unknown[]): LogEntry {
  const rest = [...params];
  const context = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
  const stack = (level === 'error' || level === 'fatal') && typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
  if (message instanceof Error) return { level, context, message: message.message, fields: {}, stack: stack ?? message.stack };
  if (message !== null && typeof message === 'object' && !Array.isArray(message)) {
    const { message: text, ...fields } = message as Record<string, unknown>;
    return { level, context, message: typeof text === 'string' ? text : '', fields, stack };
  }
  return { level, context, message: typeof message === 'string' ? message : JSON.stringify(message) ?? String(message), fields: {}, stack };
}

/** BigInts as strings and cycles cut: a log call never throws. */
function safeReplacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (_key, value) => {
    if (typeof value === 'bigint') return value.toString();
    if (value !== null && typeof value === 'object') {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  };
}
