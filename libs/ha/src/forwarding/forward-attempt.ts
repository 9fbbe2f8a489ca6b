import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { FORWARDED_BY, HOLD_BUDGET, HOP_BY_HOP, NOT_ACTING, SERVED_BY } from './forwarding-headers.js';
import type { ReplayableBody } from './replayable-body.js';

/**
 * What became of one attempt to have the leader serve a request:
 * - `answered`: the leader's answer (whatever its status) was relayed to the client;
 * - `not-processed`: the leader provably did not process it (no connection, or its not-acting 503):
 *   the request may be sent again;
 * - `failed`: the connection broke after the request may have reached the leader's full graph: never
 *   replayed, the client got a 502 saying so.
 */
export type AttemptOutcome = { kind: 'answered' } | { kind: 'not-processed'; reason: string } | { kind: 'failed'; reason: string };

export interface ForwardTarget {
  id: string;
  url: string;
}

export interface AttemptOptions {
  request: IncomingMessage;
  /** Path and query as the client sent them (express may have rewritten request.url). */
  path: string;
  response: ServerResponse;
  body: ReplayableBody;
  target: ForwardTarget;
  instanceId: string;
  /** Bound on establishing the connection: past it nothing was sent, so it counts as not processed. */
  connectTimeoutMs: number;
  /** CA certificates that sign the instances' HTTPS certificates (serverProtocol https). */
  ca?: string[];
  /** How long the forwarder still waits: the receiver holds the request no longer (X-A4C-Hold-Ms). */
  holdBudgetMs?: number;
}

/** Safe methods (RFC 9110 §9.2.1): resending one that may have reached the leader changes nothing. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Sends the request to the target once and relays its answer (see AttemptOutcome). */
export function forwardOnce(options: AttemptOptions): Promise<AttemptOutcome> {
  const { request, response, body, target, instanceId } = options;
  const url = new URL(options.path, target.url);
  const secure = url.protocol === 'https:';
  return new Promise<AttemptOutcome>((resolve) => {
    let connected = false;
    let settled = false;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      // a refused attempt leaves nothing behind on the client's response (the next attempt adds its own)
      if (outcome.kind === 'not-processed') response.off('close', clientClosed);
      resolve(outcome);
    };
    // no keep-alive: a reused socket the leader just closed would make a refusal look like a failure
    const upstream = (secure ? https : http).request({
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      method: request.method,
      path: url.pathname + url.search,
      headers: forwardedHeaders(request, instanceId, options.holdBudgetMs),
      agent: false,
      ...(secure ? { ca: options.ca } : {}),
    });
    const connectTimer = setTimeout(() => {
      if (connected) return;
      upstream.destroy();
      settle({ kind: 'not-processed', reason: `no connection to ${target.id} within ${options.connectTimeoutMs} ms` });
    }, options.connectTimeoutMs);
    upstream.once('socket', (socket: Socket) => {
      const start = () => {
        connected = true;
        clearTimeout(connectTimer);
        body.pipeTo(upstream);
      };
      if (!socket.connecting) start();
      else socket.once(secure ? 'secureConnect' : 'connect', start);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      body.detach();
      if (!connected) return settle({ kind: 'not-processed', reason: `${target.id} refused the connection (${error.code ?? error.message})` });
      if (settled) return response.destroy(error); // broke while relaying the answer
      const reason = `${target.id} failed while processing the request (${error.code ?? error.message})`;
      if (SAFE.has(request.method ?? '')) return settle({ kind: 'not-processed', reason: `${reason}; a ${request.method} is safe to send again` });
      failed(response, instanceId, target, error);
      settle({ kind: 'failed', reason: `${target.id} failed while processing the request (${error.code ?? error.message})` });
    });
    upstream.once('response', (answer: IncomingMessage) => {
      if (answer.statusCode === 503 && answer.headers[NOT_ACTING] === '1') {
        body.detach();
        answer.resume();
        upstream.destroy();
        return settle({ kind: 'not-processed', reason: `${target.id} is not acting` });
      }
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, relayedHeaders(answer.headers, instanceId));
      answer.pipe(response);
      answer.once('error', (error) => response.destroy(error));
      settle({ kind: 'answered' });
    });
    // the client gave up: so do we (what the leader already received it may still apply)
    const clientClosed = () => {
      if (!response.writableFinished) upstream.destroy();
    };
    response.once('close', clientClosed);
  });
}

function forwardedHeaders(request: IncomingMessage, instanceId: string, holdBudgetMs: number | undefined): OutgoingHttpHeaders {
  const headers = withoutHopByHop(request.headers);
  headers[FORWARDED_BY] = instanceId;
  if (holdBudgetMs !== undefined) headers[HOLD_BUDGET] = String(Math.max(0, Math.round(holdBudgetMs)));
  const peer = request.socket.remoteAddress;
  if (peer) headers['x-forwarded-for'] = request.headers['x-forwarded-for'] ? `${String(request.headers['x-forwarded-for'])}, ${peer}` : peer;
  return headers;
}

/** The leader's answer as the client gets it, saying which instance relayed it (X-A4C-Forwarded-By). */
function relayedHeaders(headers: IncomingHttpHeaders, instanceId: string): OutgoingHttpHeaders {
  return { ...withoutHopByHop(headers), [FORWARDED_BY]: instanceId };
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const copy: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    copy[name] = value;
  }
  return copy;
}

function failed(response: ServerResponse, instanceId: string, target: ForwardTarget, error: NodeJS.ErrnoException): void {
  if (response.headersSent) return void response.destroy();
  const body = JSON.stringify({
    statusCode: 502,
    message: `the leader ${target.id} failed while processing the request; it may have been applied, so it was not sent again`,
    cause: error.code ?? error.message,
  });
  response.writeHead(502, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), [SERVED_BY]: instanceId });
  response.end(body);
}
