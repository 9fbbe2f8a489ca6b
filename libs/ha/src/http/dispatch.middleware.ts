import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HaService } from '../ha.service.js';

const ADMIN_PREFIX = '/rest/admin/';

/**
 * Everything but the admin routes goes to the full graph while it is up; otherwise 503 with
 * Retry-After (one health-check period: about when a new leader can have been elected).
 */
@Injectable()
export class DispatchMiddleware implements NestMiddleware {
  constructor(private readonly ha: HaService) {}

  use(request: IncomingMessage & { originalUrl?: string }, response: ServerResponse, next: () => void): void {
    const url = request.originalUrl ?? request.url ?? '/';
    if (url.startsWith(ADMIN_PREFIX) || url === '/rest/admin') return next();
    if (!this.ha.mayServe()) return this.unavailable(response); // frozen a moment ago: not yet re-confirmed
    this.ha.host.dispatch(request, response, () => this.unavailable(response));
  }

  private unavailable(response: ServerResponse): void {
    const leader = this.ha.status().leader;
    const body = JSON.stringify({
      statusCode: 503,
      message: 'this instance is not the active leader',
      leader: leader && leader.id !== this.ha.instanceId ? leader : null,
    });
    response.writeHead(503, {
      'Content-Type': 'application/json; charset=utf-8',
      'Retry-After': String(this.ha.runtime.config.healthCheckPeriodInSecond),
      'Content-Length': Buffer.byteLength(body),
    });
    response.end(body);
  }
}
