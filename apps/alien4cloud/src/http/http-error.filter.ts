import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { FencedWriteError } from '@a4c/ha';

/** The body of every error answer of the A4C REST API. */
export interface HttpErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly reason: string;
}

/** Retry-After of a fenced write's 503: the newer leader acts already, or will within about a second. */
const FENCED_RETRY_AFTER_SECONDS = 1;

/**
 * Turns every error into `{statusCode, error, reason}`. Client mistakes (HttpExceptions, and body-parser
 * errors such as malformed JSON, which carry a 4xx status) keep their status and say why; a
 * FencedWriteError (this instance stopped acting, or a newer leader wrote the document; nothing of that
 * write was applied) is a 503 with Retry-After; anything else is a 500 whose details are logged, not
 * sent (they may name internals).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const { statusCode, reason } = describeError(exception);
    if (statusCode >= 500) {
      this.logger.error(`${request.method} ${request.originalUrl} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    const body: HttpErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', reason };
    if (exception instanceof FencedWriteError) response.setHeader('Retry-After', String(FENCED_RETRY_AFTER_SECONDS));
    response.status(statusCode).json(body);
  }
}

export function describeError(exception: unknown): { statusCode: number; reason: string } {
  if (exception instanceof FencedWriteError) return { statusCode: 503, reason: `not the acting leader any more: ${exception.message}` };
  if (exception instanceof HttpException) {
    const cause = exception.cause;
    if (isJsonParseError(cause)) return { statusCode: 400, reason: `malformed JSON body: ${cause.message}` };
    return { statusCode: exception.getStatus(), reason: reasonOf(exception.getResponse()) };
  }
  if (isJsonParseError(exception)) return { statusCode: 400, reason: `malformed JSON body: ${exception.message}` };
  // http-errors from body-parser & co (e.g. 413 payload too large, 415 unsupported charset)
  const status = (exception as { status?: unknown; expose?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (exception as { expose?: unknown }).expose !== false) {
    return { statusCode: status, reason: (exception as Error).message };
  }
  return { statusCode: 500, reason: 'internal error (logged on the server)' };
}

function isJsonParseError(error: unknown): error is Error {
  return error instanceof Error && (error as { type?: unknown }).type === 'entity.parse.failed';
}

function reasonOf(response: string | object): string {
  if (typeof response === 'string') return response;
  const { reason, message } = response as { reason?: unknown; message?: unknown };
  if (typeof reason === 'string') return reason;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : JSON.stringify(response);
}
