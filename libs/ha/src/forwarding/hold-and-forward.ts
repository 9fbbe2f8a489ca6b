import type { IncomingMessage, ServerResponse } from 'node:http';
import { INTERNAL_DEFAULTS } from '../config/internal-defaults.js';
import { forwardOnce, type ForwardTarget } from './forward-attempt.js';
import { FORWARDED_BY, HOLD_BUDGET, NOT_ACTING, SERVED_BY } from './forwarding-headers.js';
import type { LeaderView } from './leader-view.js';
import { ReplayableBody } from './replayable-body.js';

export interface HoldAndForwardOptions {
  /** ha.forwardToLeader: false answers 503 at once on a non-acting instance. */
  enabled: boolean;
  /** ha.forwardTimeoutInMillis: how long a request waits for an acting leader. */
  timeoutMs: number;
  /** Retry-After of the not-acting 503 (seconds). */
  retryAfterSeconds: number;
  /** Bytes of a request body kept for a retry; a larger body that was refused is answered 503. */
  retryBufferBytes: number;
  connectTimeoutMs: number;
  /** Trust for https leaders: the CA certificates, or why https forwarding is refused. */
  tls: { ca: string[] } | { refused: string } | null;
  /** One line per request this layer could not get served (503, 502): they are rare and worth a look. */
  log?: (line: string) => void;
}

const { forwardRecheckMs: RECHECK_MS, forwardMaxRecheckMs: MAX_RECHECK_MS } = INTERNAL_DEFAULTS;

export type ServeLocally = (request: IncomingMessage, response: ServerResponse, unavailable: () => void) => void;

/**
 * The "anything else" row of the HTTP contract (docs/architecture.md §3): serve through the local full
 * graph while acting; otherwise hold the request until an acting leader is known and forward it there
 * once (X-A4C-Forwarded-By), resending it only when that leader provably did not process it; answer a
 * recognisable 503 (X-A4C-Not-Acting: 1, Retry-After) when none comes in time. A forwarded request is
 * never forwarded again: it waits here only while this instance holds the lock and may still act.
 */
export class HoldAndForward {
  private inFlight = 0;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    private readonly view: LeaderView,
    private readonly options: HoldAndForwardOptions,
  ) {}

  /** Requests held or being forwarded right now. */
  get pending(): number {
    return this.inFlight;
  }

  /** Resolves once no request is held or forwarded, or after `timeoutMs`. */
  async idle(timeoutMs: number): Promise<void> {
    await waitFor(() => this.inFlight === 0, this.idleWaiters, timeoutMs);
  }

  async handle(request: IncomingMessage, response: ServerResponse, path: string, serveLocally: ServeLocally): Promise<void> {
    response.setHeader(SERVED_BY, this.view.instanceId);
    if (this.view.isStopping?.()) response.setHeader('Connection', 'close');
    if (this.view.mayAct() && this.serveHere(request, response, serveLocally)) return;
    this.inFlight += 1;
    try {
      this.view.requestHeld?.();
      await this.hold(request, response, path, serveLocally);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const resolve of [...this.idleWaiters]) resolve();
    }
  }

  /**
   * Hands the request to the local full graph; false when it turned out unavailable before touching the
   * request (stopped routing a moment ago): nothing was processed, so the caller holds it instead.
   */
  private serveHere(request: IncomingMessage, response: ServerResponse, serveLocally: ServeLocally): boolean {
    let unavailable = false;
    serveLocally(request, response, () => (unavailable = true));
    return !unavailable;
  }

  private async hold(request: IncomingMessage, response: ServerResponse, path: string, serveLocally: ServeLocally): Promise<void> {
    const self = this.view.instanceId;
    const forwardedBy = header(request, FORWARDED_BY);
    const budget = Number(header(request, HOLD_BUDGET));
    // a forwarded request is held no longer than its forwarder still waits for it
    const timeoutMs = forwardedBy !== undefined && Number.isFinite(budget) && budget >= 0 ? Math.min(budget, this.options.timeoutMs) : this.options.timeoutMs;
    const deadline = performance.now() + timeoutMs;
    let body: ReplayableBody | null = null;
    let lastRefusal = '';
    let recheckMs = RECHECK_MS;
    const gone = clientGone(response);
    for (;;) {
      if (gone.signal.aborted) return;
      if (this.view.mayAct()) {
        if (!body || body.bytesRead === 0) {
          body?.handBack(); // paused for a refused attempt: it must flow for the local graph
          if (this.serveHere(request, response, serveLocally)) return;
        } else {
          // part of the body went to a leader that refused it: the kept copy is sent to our own graph
          if (!body.replayable) return this.notActing(response, `${lastRefusal}; the request body was larger than ${this.options.retryBufferBytes} bytes and is not sent again`);
          const outcome = await this.attempt(request, response, path, body, { id: self, url: this.view.url }, deadline);
          if (outcome.kind !== 'not-processed') return;
          lastRefusal = outcome.reason;
          recheckMs = Math.min(recheckMs * 2, MAX_RECHECK_MS);
        }
      } else {
        const holder = this.view.holder();
        if (forwardedBy !== undefined) {
          if (!this.view.mayActSoon()) return this.notActing(response, `forwarded by ${forwardedBy}, and this instance is not the acting leader (a forwarded request is never forwarded again)`);
        } else if (request.headers.upgrade !== undefined) {
          return this.notActing(response, 'upgrade requests (WebSocket) are served by the acting leader only and are not forwarded');
        } else if (!this.options.enabled) {
          return this.notActing(response, 'forwarding to the leader is off (ha.forwardToLeader: false)');
        } else if (holder && holder.id !== self) {
          const refused = this.refusesTls(holder);
          if (refused) return this.notActing(response, refused);
          body ??= new ReplayableBody(request, this.options.retryBufferBytes);
          if (!body.replayable) return this.notActing(response, `${lastRefusal}; the request body was larger than ${this.options.retryBufferBytes} bytes and is not sent again`);
          const outcome = await this.attempt(request, response, path, body, holder, deadline);
          if (outcome.kind === 'failed') this.options.log?.(`${request.method} ${path}: 502, ${outcome.reason}`);
          if (outcome.kind !== 'not-processed') return;
          lastRefusal = outcome.reason;
          recheckMs = Math.min(recheckMs * 2, MAX_RECHECK_MS);
        }
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) return this.notActing(response, lastRefusal ? `no acting leader within ${timeoutMs} ms (${lastRefusal})` : `no acting leader within ${timeoutMs} ms`);
      await this.nextChange(Math.min(remaining, recheckMs), gone.signal);
    }
  }

  private attempt(request: IncomingMessage, response: ServerResponse, path: string, body: ReplayableBody, target: ForwardTarget, deadline: number) {
    const holdBudgetMs = deadline - performance.now();
    return forwardOnce({ request, path, response, body, target, instanceId: this.view.instanceId, connectTimeoutMs: this.options.connectTimeoutMs, holdBudgetMs, ...this.caOption() });
  }

  private refusesTls(target: ForwardTarget): string | undefined {
    if (!target.url.startsWith('https:')) return undefined;
    const tls = this.options.tls;
    if (tls && 'refused' in tls) return tls.refused;
    return undefined;
  }

  private caOption(): { ca?: string[] } {
    const tls = this.options.tls;
    return tls && 'ca' in tls ? { ca: tls.ca } : {};
  }

  private nextChange(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        unsubscribe();
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      const unsubscribe = this.view.onChange(finish);
      signal.addEventListener('abort', finish, { once: true });
    });
  }

  /** The recognisable 503: nothing was processed here, so a client or proxy may send it elsewhere. */
  notActing(response: ServerResponse, reason: string): void {
    if (response.headersSent || response.destroyed) return;
    const request = response.req as IncomingMessage | undefined;
    // a forwarded request refused here is retried by its forwarder: only what a client gets is logged
    if (request && header(request, FORWARDED_BY) === undefined) this.options.log?.(`${request.method ?? ''} ${request.url ?? ''}: 503 not acting, ${reason}`);
    const holder = this.view.holder();
    const body = JSON.stringify({
      statusCode: 503,
      message: 'this instance is not the active leader',
      reason,
      leader: holder && holder.id !== this.view.instanceId ? holder : null,
    });
    response.writeHead(503, {
      'Content-Type': 'application/json; charset=utf-8',
      'Retry-After': String(this.options.retryAfterSeconds),
      'Content-Length': Buffer.byteLength(body),
      [NOT_ACTING]: '1',
      [SERVED_BY]: this.view.instanceId,
    });
    response.end(body);
  }
}

/** Resolves when `done()` holds (woken through `waiters`) or after `timeoutMs`. */
async function waitFor(done: () => boolean, waiters: Set<() => void>, timeoutMs: number): Promise<void> {
  if (done()) return;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  await new Promise<void>((resolve) => {
    wake = resolve;
    waiters.add(resolve);
    timer = setTimeout(resolve, timeoutMs);
  });
  clearTimeout(timer);
  if (wake) waiters.delete(wake);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Aborts when the client closes the connection before its answer was sent. */
function clientGone(response: ServerResponse): AbortController {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller;
}
