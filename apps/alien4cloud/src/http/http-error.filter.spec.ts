import { BadRequestException, ConflictException, HttpException } from '@nestjs/common';
import { describe, expect, it } from '@jest/globals';
import { FencedWriteError } from '@a4c/ha';
import { describeError } from './http-error.filter.js';

function parseError(message: string): Error {
  return Object.assign(new SyntaxError(message), { type: 'entity.parse.failed', status: 400 });
}

describe('describeError', () => {
  it('keeps the status and reason of HttpExceptions', () => {
    expect(describeError(new ConflictException('taken'))).toEqual({ statusCode: 409, reason: 'taken' });
    expect(describeError(new HttpException({ reason: 'why' }, 422))).toEqual({ statusCode: 422, reason: 'why' });
    expect(describeError(new BadRequestException(['a', 'b']))).toEqual({ statusCode: 400, reason: 'a; b' });
  });

  it('answers malformed JSON with a 400, mapped by Nest or not', () => {
    const raw = parseError('Unexpected end of JSON input');
    expect(describeError(raw)).toEqual({ statusCode: 400, reason: 'malformed JSON body: Unexpected end of JSON input' });
    expect(describeError(new BadRequestException(raw.message, { cause: raw }))).toEqual({ statusCode: 400, reason: 'malformed JSON body: Unexpected end of JSON input' });
  });

  it('keeps exposed 4xx http-errors and hides everything else behind a 500', () => {
    expect(describeError(Object.assign(new Error('request entity too large'), { status: 413, expose: true }))).toEqual({ statusCode: 413, reason: 'request entity too large' });
    expect(describeError(new Error('ECONNREFUSED 10.0.0.1:9200'))).toEqual({ statusCode: 500, reason: 'internal error (logged on the server)' });
    expect(describeError('boom')).toEqual({ statusCode: 500, reason: 'internal error (logged on the server)' });
  });

  it('answers a fenced write with a 503 that says why (the Retry-After header is set by the filter)', () => {
    expect(describeError(new FencedWriteError('superseded', 'put notes/a', 6, 7))).toEqual({
      statusCode: 503,
      reason: 'not the acting leader any more: put notes/a refused: written by a newer leader (epoch 7 > 6)',
    });
    expect(describeError(new FencedWriteError('not-leading', 'delete notes/a', 6))).toMatchObject({ statusCode: 503 });
  });
});
