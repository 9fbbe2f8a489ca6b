import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { createAppLogger } from './app-logger.js';

/** What the process writes to stdout and stderr while a test runs (Nest's ConsoleLogger writes there). */
function captureStreams() {
  const out: string[] = [];
  const err: string[] = [];
  const originals = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  return {
    out,
    err,
    restore: () => {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}

describe('the application logger: Nest\'s ConsoleLogger', () => {
  let streams: ReturnType<typeof captureStreams>;
  beforeEach(() => {
    streams = captureStreams();
  });
  afterEach(() => {
    streams.restore();
    Logger.overrideLogger(false);
  });

  it('json: one object per line; the fields of logger.log(message, fields) are top-level keys', () => {
    Logger.overrideLogger(createAppLogger('json'));
    new Logger('HA').log('backup -> activating: lock acquired', { instanceId: 'a4c-1', term: 7, sessionId: 's-123', reason: 'lock acquired' });
    new Logger('FullGraphHost').warn('drain timed out');
    streams.restore();
    const records = streams.out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([
      { level: 'log', pid: process.pid, timestamp: expect.any(Number), context: 'HA', message: 'backup -> activating: lock acquired', instanceId: 'a4c-1', term: 7, sessionId: 's-123', reason: 'lock acquired' },
      { level: 'warn', pid: process.pid, timestamp: expect.any(Number), context: 'FullGraphHost', message: 'drain timed out' },
    ]);
    expect(streams.out.every((line) => line.endsWith('}\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
  });

  it('json: a field never replaces level or message; errors go to stderr with their stack; secrets are masked', () => {
    Logger.overrideLogger(createAppLogger('json'));
    new Logger('HA').log('m', { level: 'fatal', message: 'other', consulToken: 'hunter2-token', nested: { adminToken: 'x-secret' } });
    new Logger('FullGraphHost').error('activation failed', 'Error: boom\n    at x');
    streams.restore();
    expect(JSON.parse(streams.out[0])).toMatchObject({ level: 'log', message: 'm', consulToken: '[REDACTED]', nested: { adminToken: '[REDACTED]' } });
    expect(streams.out.join('')).not.toMatch(/hunter2|x-secret/);
    expect(JSON.parse(streams.err[0])).toMatchObject({ level: 'error', context: 'FullGraphHost', message: 'activation failed', stack: 'Error: boom\n    at x' });
  });

  it('text (the default): Nest console lines with the fields after the message, secrets masked', () => {
    Logger.overrideLogger(createAppLogger('text'));
    new Logger('HA').log('backup -> activating: lock acquired', { instanceId: 'a4c-1', term: 7, consulToken: 'hunter2-token' });
    streams.restore();
    expect(streams.out[0]).toMatch(/^\[A4C\] \d+ +- .* +LOG \[HA\] backup -> activating: lock acquired \{ instanceId: 'a4c-1', term: 7, consulToken: '\[REDACTED\]' \}\n$/);
  });
});
