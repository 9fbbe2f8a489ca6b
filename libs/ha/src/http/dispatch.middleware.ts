import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HaForwarding } from '../forwarding/ha-forwarding.js';
import { FullGraphHost } from '../host/full-graph-host.js';

const ADMIN_PREFIX = '/rest/admin/';

/**
 * Everything but the admin routes goes to the full graph while this instance acts; otherwise it is held
 * and forwarded to the acting leader, or answered 503 + Retry-After (HoldAndForward, which asks the
 * acting term right before it hands a request to the graph). Admin routes are always the parent's own
 * and never forwarded.
 */
@Injectable()
export class DispatchMiddleware implements NestMiddleware {
  constructor(
    private readonly forwarding: HaForwarding,
    private readonly host: FullGraphHost,
  ) {}

  use(request: IncomingMessage & { originalUrl?: string }, response: ServerResponse, next: () => void): void {
    const url = request.originalUrl ?? request.url ?? '/';
    if (url.startsWith(ADMIN_PREFIX) || url === '/rest/admin') return next();
    void this.forwarding.handle(request, response, url, (req, res, unavailable) => this.host.dispatch(req, res, unavailable));
  }
}
