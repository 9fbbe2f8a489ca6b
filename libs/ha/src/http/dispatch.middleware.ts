import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { HaService } from '../ha.service.js';
import { forwardingTls } from '../forwarding/forwarding-tls.js';
import { HaLeaderView } from '../forwarding/ha-leader-view.js';
import { DEFAULT_RETRY_BUFFER_BYTES, HoldAndForward } from '../forwarding/hold-and-forward.js';

const ADMIN_PREFIX = '/rest/admin/';
/** Connecting to a live instance takes milliseconds; a leader that does not accept in 2 s gets nothing. */
const FORWARD_CONNECT_TIMEOUT_MS = 2000;

/**
 * Everything but the admin routes goes to the full graph while this instance acts; otherwise it is held
 * and forwarded to the acting leader, or answered 503 + Retry-After (HoldAndForward). Admin routes are
 * always the parent's own and never forwarded.
 */
@Injectable()
export class DispatchMiddleware implements NestMiddleware {
  private readonly forwarding: HoldAndForward;
  private readonly logger = new Logger('Forwarding');

  constructor(
    private readonly ha: HaService,
    adapterHost: HttpAdapterHost,
  ) {
    const { config, timings } = ha.runtime;
    const view = new HaLeaderView(ha);
    this.forwarding = new HoldAndForward(view, {
      enabled: config.forwardToLeader,
      timeoutMs: config.forwardTimeoutInMillis,
      // one health-check period: about when a new leader can have been elected
      retryAfterSeconds: config.healthCheckPeriodInSecond,
      retryBufferBytes: DEFAULT_RETRY_BUFFER_BYTES,
      connectTimeoutMs: FORWARD_CONNECT_TIMEOUT_MS,
      tls: forwardingTls(config),
      log: (line) => this.logger.warn(line),
    });
    view.attach(this.forwarding);
    // step-down and SIGTERM: new requests wait for the successor while the full graph finishes its own
    ha.onQuiesce(() => view.quiesce(this.forwarding, timings.drainTimeoutMs), () => view.resume());
    // at shutdown, what is still held here goes to the successor before the port closes
    ha.onHandOver(() => view.handOver(this.forwarding, config.forwardTimeoutInMillis + timings.drainTimeoutMs, adapterHost.httpAdapter?.getHttpServer() as Server | undefined));
  }

  use(request: IncomingMessage & { originalUrl?: string }, response: ServerResponse, next: () => void): void {
    const url = request.originalUrl ?? request.url ?? '/';
    if (url.startsWith(ADMIN_PREFIX) || url === '/rest/admin') return next();
    void this.forwarding.handle(request, response, url, (req, res, unavailable) => {
      if (!this.ha.mayServe()) return unavailable(); // frozen a moment ago: not yet re-confirmed
      this.ha.host.dispatch(req, res, unavailable);
    });
  }
}
