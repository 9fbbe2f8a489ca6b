import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { A4cLogger } from './a4c-logger.js';

function capture(format: 'text' | 'json') {
  const out: string[] = [];
  const err: string[] = [];
  const logger = new A4cLogger(format, { sink: { stdout: (l) => out.push(l), stderr: (l) => err.push(l) }, now: () => new Date('2026-12-01T10:00:00.000Z') });
  return { logger, out, err, parsed: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('A4cLogger, logging.format json', () => {
  it('prints one object per line with time, level, context and message', () => {
    const { logger, out } = capture('json');
    logger.log('full graph closed: shutdown', 'FullGraphHost');
    logger.warn('drain timed out', 'FullGraphHost');
    expect(out).toEqual([
      '{"time":"2026-12-01T10:00:00.000Z","level":"log","context":"FullGraphHost","message":"full graph closed: shutdown"}\n',
      '{"time":"2026-12-01T10:00:00.000Z","level":"warn","context":"FullGraphHost","message":"drain timed out"}\n',
    ]);
  });

  it('makes the fields of a structured HA transition top-level keys', () => {
    const { logger, parsed } = capture('json');
    logger.log({ message: 'backup -> activating: lock acquired', instanceId: 'a4c-1', term: 7, sessionId: 's-123', reason: 'lock acquired' }, 'HA');
    expect(parsed()).toEqual([
      { time: '2026-12-01T10:00:00.000Z', level: 'log', context: 'HA', message: 'backup -> activating: lock acquired', instanceId: 'a4c-1', term: 7, sessionId: 's-123', reason: 'lock acquired' },
    ]);
  });

  it('never lets a field replace time, level, context or message', () => {
    const { logger, parsed } = capture('json');
    logger.log({ message: 'm', level: 'fatal', time: 'x', extra: 1 }, 'HA');
    expect(parsed()[0]).toEqual({ time: '2026-12-01T10:00:00.000Z', level: 'log', context: 'HA', message: 'm', extra: 1 });
  });

  it('sends errors to stderr with their stack, and survives cycles and bigints', () => {
    const { logger, err, out } = capture('json');
    const cyclic: Record<string, unknown> = { message: 'odd', n: 10n };
    cyclic.self = cyclic;
    logger.error('activation failed', 'Error: boom\n    at x', 'FullGraphHost');
    logger.log(cyclic);
    expect(JSON.parse(err[0])).toMatchObject({ level: 'error', context: 'FullGraphHost', message: 'activation failed', stack: 'Error: boom\n    at x' });
    expect(JSON.parse(out[0])).toMatchObject({ message: 'odd', n: '10', self: { message: 'odd', n: '10', self: '[circular]' }, context: null });
  });

  it('receives the lines of every Nest Logger once it is the static logger', () => {
    const { logger, parsed } = capture('json');
    Logger.overrideLogger(logger);
    try {
      new Logger('HA').log({ message: 'leader -> deactivating: step-down', instanceId: 'a', term: 2, sessionId: 's', reason: 'step-down' });
    } finally {
      Logger.overrideLogger(false);
    }
    expect(parsed()).toEqual([
      { time: '2026-12-01T10:00:00.000Z', level: 'log', context: 'HA', message: 'leader -> deactivating: step-down', instanceId: 'a', term: 2, sessionId: 's', reason: 'step-down' },
    ]);
  });
});

describe('A4cLogger, logging.format text (the default)', () => {
  it('prints Nest console lines, with structured fields after the message unless it already shows them', () => {
    const { logger } = capture('text');
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      logger.log({ message: 'backup -> activating: lock acquired', instanceId: 'a4c-1', term: 7, sessionId: 's-1', reason: 'lock acquired' }, 'HA');
      logger.log({ message: 'backup: waiting 1 s', instanceId: 'a4c-1', term: 1, sessionId: null, reason: 'waiting 1 s' }, 'HA');
    } finally {
      process.stdout.write = original;
    }
    expect(written[0]).toMatch(/\[A4C\] \d+ +- .* +LOG \[HA\] backup -> activating: lock acquired \[instanceId=a4c-1 term=7 sessionId=s-1\]\n$/);
    expect(written[1]).toMatch(/LOG \[HA\] backup: waiting 1 s \[instanceId=a4c-1 term=1 sessionId=-\]\n$/);
  });
});
