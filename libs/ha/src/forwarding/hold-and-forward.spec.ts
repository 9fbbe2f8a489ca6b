import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../../../test/support/free-port.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import type { ForwardTarget } from './forward-attempt.js';
import { FORWARDED_BY, HOLD_BUDGET, NOT_ACTING, SERVED_BY } from './forwarding-headers.js';
import { HoldAndForward, type HoldAndForwardOptions } from './hold-and-forward.js';
import type { LeaderView } from './leader-view.js';

/** A LeaderView the test steers: who holds the lock, whether we act, and change notifications. */
class FakeView implements LeaderView {
  acting = false;
  soon = false;
  leader: ForwardTarget | null = null;
  /** Set by instance() once its server listens. */
  url = 'http://127.0.0.1:1';
  private readonly listeners = new Set<() => void>();
  constructor(readonly instanceId: string) {}
  mayAct = () => this.acting;
  mayActSoon = () => this.soon;
  holder = () => this.leader;
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(change: Partial<Pick<FakeView, 'acting' | 'soon' | 'leader'>>): void {
    Object.assign(this, change);
    for (const l of [...this.listeners]) l();
  }
}

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  bytes: number;
  sha: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); })));
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A leader's full graph: records what it received (whole body hashed) and answers 201 with its id. */
async function leaderGraph(id: string, onFirstByte?: () => void) {
  const received: Received[] = [];
  const url = await listen((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      if (bytes === 0) onFirstByte?.();
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, bytes, sha: hash.digest('hex') });
      res.writeHead(201, { 'content-type': 'application/json', [SERVED_BY]: id });
      res.end(JSON.stringify({ servedBy: id, bytes }));
    });
  });
  return { id, url, received };
}

const OPTIONS: HoldAndForwardOptions = { enabled: true, timeoutMs: 3000, retryAfterSeconds: 5, retryBufferBytes: 64 * 1024, connectTimeoutMs: 1000, tls: null };

/**
 * An instance's parent: HoldAndForward in front of a local graph that reads the body (hashed) and answers
 * 200 "local", or, while `graphDown()` says so, is unavailable (stopped routing) without touching it.
 */
async function instance(view: FakeView, options: Partial<HoldAndForwardOptions> = {}, graphDown: () => boolean = () => false) {
  const forwarding = new HoldAndForward(view, { ...OPTIONS, ...options });
  const bodies: string[] = [];
  let finish: (() => void) | null = null;
  const url = await listen((req, res) => {
    void forwarding.handle(req, res, req.url ?? '/', (q, r, unavailable) => {
      if (graphDown()) return unavailable();
      const hash = createHash('sha256');
      q.on('data', (chunk: Buffer) => hash.update(chunk));
      q.on('end', () => {
        bodies.push(hash.digest('hex'));
        const answer = () => {
          r.writeHead(200, { 'content-type': 'text/plain' });
          r.end('local');
        };
        if (slow) finish = answer;
        else answer();
      });
    });
  });
  let slow = false;
  view.url = url;
  return {
    url,
    forwarding,
    localCount: () => bodies.length,
    bodies,
    /** From now on the local graph keeps its answers until release() is called. */
    hold: () => (slow = true),
    release: () => {
      slow = false;
      finish?.();
    },
  };
}

async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}) {
  const started = performance.now();
  const response = await fetch(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body ? new Uint8Array(init.body) : undefined });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, ms: performance.now() - started };
}

describe('HoldAndForward (real sockets on 127.0.0.1)', () => {
  it('serves through the local graph while acting, with X-A4C-Served-By', async () => {
    const view = new FakeView('a');
    view.acting = true;
    const a = await instance(view);
    const answer = await send(`${a.url}/rest/v1/applications`);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('local');
    expect(answer.headers.get(SERVED_BY)).toBe('a');
  });

  it('holds a request until a leader is known, then forwards it once with X-A4C-Forwarded-By', async () => {
    const leader = await leaderGraph('b');
    const view = new FakeView('a');
    const a = await instance(view);
    const pending = send(`${a.url}/rest/v1/applications?x=1`, { method: 'POST', body: Buffer.from('{"name":"app"}'), headers: { 'content-type': 'application/json' } });
    await waitUntil(() => a.forwarding.pending === 1, { what: 'the request to be held' });
    expect(leader.received).toHaveLength(0);
    view.set({ leader: { id: 'b', url: leader.url } });
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(answer.headers.get(SERVED_BY)).toBe('b');
    expect(answer.headers.get(FORWARDED_BY)).toBe('a');
    expect(leader.received).toHaveLength(1);
    expect(leader.received[0]).toMatchObject({ method: 'POST', url: '/rest/v1/applications?x=1', bytes: 14 });
    expect(leader.received[0]!.headers[FORWARDED_BY]).toBe('a');
  });

  it('answers 503 + Retry-After + X-A4C-Not-Acting when no acting leader appears within the timeout', async () => {
    const view = new FakeView('a');
    const a = await instance(view, { timeoutMs: 400 });
    const answer = await send(`${a.url}/rest/v1/applications`);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(answer.headers.get(NOT_ACTING)).toBe('1');
    expect(answer.headers.get(SERVED_BY)).toBe('a');
    expect(answer.ms).toBeGreaterThanOrEqual(390);
    expect(answer.ms).toBeLessThan(400 + 1500);
    expect(JSON.parse(answer.text)).toMatchObject({ statusCode: 503, reason: 'no acting leader within 400 ms' });
  });

  it('answers 503 at once when forwarding is off', async () => {
    const leader = await leaderGraph('b');
    const view = new FakeView('a');
    view.leader = { id: 'b', url: leader.url };
    const a = await instance(view, { enabled: false, timeoutMs: 5000 });
    const answer = await send(`${a.url}/x`);
    expect(answer.status).toBe(503);
    expect(answer.ms).toBeLessThan(1000);
    expect(leader.received).toHaveLength(0);
  });

  it('never forwards a forwarded request again: two instances that name each other end in 503, no loop', async () => {
    const viewA = new FakeView('a');
    const viewB = new FakeView('b');
    const b = await instance(viewB, { timeoutMs: 500 });
    const a = await instance(viewA, { timeoutMs: 500 });
    viewA.leader = { id: 'b', url: b.url };
    viewB.leader = { id: 'a', url: a.url };
    let arrivals = 0;
    const counted = await listen((req, res) => {
      arrivals += 1;
      req.pipe(httpRequest(`${b.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      }));
    });
    viewA.leader = { id: 'b', url: counted }; // count what A sends to B
    const answer = await send(`${a.url}/rest/v1/applications`);
    expect(answer.status).toBe(503);
    expect(answer.headers.get(NOT_ACTING)).toBe('1');
    expect(a.localCount() + b.localCount()).toBe(0);
    // A retried B only on its not-acting answers (about one per recheck), and B never sent anything back
    expect(arrivals).toBeGreaterThan(0);
    expect(arrivals).toBeLessThan(20);
    expect(b.forwarding.pending).toBe(0);
  });

  it('holds a forwarded request while this instance holds the lock and serves it once it acts', async () => {
    const view = new FakeView('b');
    view.soon = true;
    view.leader = { id: 'b', url: 'http://127.0.0.1:1' };
    const b = await instance(view);
    const pending = send(`${b.url}/x`, { headers: { [FORWARDED_BY]: 'a' } });
    await waitUntil(() => b.forwarding.pending === 1, { what: 'held' });
    view.set({ acting: true });
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(b.localCount()).toBe(1);
  });

  it('retries on another leader when the first refused the connection', async () => {
    const next = await leaderGraph('c');
    const view = new FakeView('a');
    view.leader = { id: 'b', url: `http://127.0.0.1:${await freePort()}` }; // nobody listens there
    const a = await instance(view);
    const pending = send(`${a.url}/rest/v1/applications`, { method: 'POST', body: Buffer.from('payload') });
    await waitUntil(() => a.forwarding.pending === 1, { what: 'held' });
    view.set({ leader: { id: 'c', url: next.url } });
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(next.received).toHaveLength(1);
    expect(next.received[0]!.bytes).toBe(7);
  });

  it('resends the whole body to the next leader after a not-acting 503', async () => {
    const next = await leaderGraph('c');
    const notActing = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { [NOT_ACTING]: '1' });
        res.end();
      });
    });
    const view = new FakeView('a');
    view.leader = { id: 'b', url: notActing };
    const a = await instance(view);
    const body = Buffer.alloc(32 * 1024, 7);
    const pending = send(`${a.url}/up`, { method: 'PUT', body });
    await waitUntil(() => a.forwarding.pending === 1, { what: 'held' });
    view.set({ leader: { id: 'c', url: next.url } });
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(next.received[0]!.sha).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('never replays a request the leader may have applied (connection lost after it was sent): 502', async () => {
    const next = await leaderGraph('c');
    const view = new FakeView('a');
    const dying = await listen((req) => {
      req.resume();
      req.on('end', () => req.socket.destroy()); // applied, then crashed before answering
    });
    view.leader = { id: 'b', url: dying };
    const a = await instance(view);
    const pending = send(`${a.url}/rest/v1/applications`, { method: 'POST', body: Buffer.from('x') });
    const answer = await pending;
    view.set({ leader: { id: 'c', url: next.url } });
    expect(answer.status).toBe(502);
    expect(answer.headers.get(NOT_ACTING)).toBeNull();
    expect(JSON.parse(answer.text).message).toContain('may have been applied');
    expect(next.received).toHaveLength(0);
  });

  it('streams a large body to the leader (the leader reads before the client has finished sending)', async () => {
    let firstByte: () => void = () => undefined;
    const leaderSawData = new Promise<void>((resolve) => (firstByte = resolve));
    const leader = await leaderGraph('b', () => firstByte());
    const view = new FakeView('a');
    view.leader = { id: 'b', url: leader.url };
    const a = await instance(view);
    const chunk = Buffer.alloc(1024 * 1024, 1);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${a.url}/rest/v1/csars`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.write(chunk);
      // the rest is only sent once the leader has seen bytes: a forwarder that buffered the whole body would hang here
      void leaderSawData.then(() => {
        for (let i = 0; i < 7; i++) req.write(chunk);
        req.end();
      });
    });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).bytes).toBe(8 * 1024 * 1024);
  });

  it('does not resend a body larger than the retry buffer: 503 not-acting, the next leader never sees it', async () => {
    const next = await leaderGraph('c');
    const notActing = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { [NOT_ACTING]: '1' });
        res.end();
      });
    });
    const view = new FakeView('a');
    view.leader = { id: 'b', url: notActing };
    const a = await instance(view, { retryBufferBytes: 1024 });
    const pending = send(`${a.url}/up`, { method: 'PUT', body: Buffer.alloc(200 * 1024, 3) });
    await waitUntil(() => a.forwarding.pending === 1, { what: 'held' });
    view.set({ leader: { id: 'c', url: next.url } });
    const answer = await pending;
    expect(answer.status).toBe(503);
    expect(answer.headers.get(NOT_ACTING)).toBe('1');
    expect(JSON.parse(answer.text).reason).toContain('larger than 1024 bytes');
    expect(next.received).toHaveLength(0);
  });

  it('refuses upgrade requests (WebSocket) on a non-acting instance with a clear 503', async () => {
    const leader = await leaderGraph('b');
    const view = new FakeView('a');
    view.leader = { id: 'b', url: leader.url };
    const a = await instance(view);
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${a.url}/ws`, { headers: { connection: 'Upgrade', upgrade: 'websocket' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ code: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status.code).toBe(503);
    expect(JSON.parse(status.body).reason).toContain('upgrade requests');
    expect(leader.received).toHaveLength(0);
  });

  it('refuses forwarding to an https leader without a configured trust store', async () => {
    const view = new FakeView('a');
    view.leader = { id: 'b', url: 'https://127.0.0.1:1' };
    const a = await instance(view, { tls: { refused: 'forwarding to an https leader needs ha.trustStorePath' } });
    const answer = await send(`${a.url}/x`);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text).reason).toContain('ha.trustStorePath');
  });

  it('holds (never answers 503) a request that meets a full graph that just stopped routing, then forwards it', async () => {
    const next = await leaderGraph('b');
    const view = new FakeView('a');
    view.acting = true;
    let down = true;
    const a = await instance(view, {}, () => down);
    const pending = send(`${a.url}/rest/v1/applications`, { method: 'POST', body: Buffer.from('{"name":"x"}') });
    await waitUntil(() => a.forwarding.pending === 1, { what: 'the request to be held' });
    view.set({ acting: false, leader: { id: 'b', url: next.url } });
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(answer.headers.get(SERVED_BY)).toBe('b');
    expect(next.received).toHaveLength(1);
    expect(a.localCount()).toBe(0);
    down = false;
  });

  it('replays the kept body to its own graph when it becomes leader after a leader refused the request', async () => {
    const notActing = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { [NOT_ACTING]: '1' });
        res.end();
      });
    });
    const view = new FakeView('a');
    view.leader = { id: 'b', url: notActing };
    view.soon = true;
    const a = await instance(view);
    const body = Buffer.alloc(16 * 1024, 3);
    const pending = send(`${a.url}/rest/v1/applications`, { method: 'POST', body });
    await waitUntil(() => a.forwarding.pending === 1, { what: 'held' });
    // the refused attempt read the body; now this instance becomes the acting leader
    view.set({ acting: true, leader: { id: 'a', url: a.url } });
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('local');
    expect(a.bodies).toEqual([createHash('sha256').update(body).digest('hex')]);
  });

  it('resends a GET cut by a dying leader to the next one (safe method), never a POST', async () => {
    const next = await leaderGraph('c');
    const dying = await listen((req) => {
      req.resume();
      req.on('end', () => req.socket.destroy());
    });
    const view = new FakeView('a');
    view.leader = { id: 'b', url: dying };
    const a = await instance(view);
    const pending = send(`${a.url}/rest/v1/applications`);
    await waitUntil(() => a.forwarding.pending === 1, { what: 'held' });
    view.set({ leader: { id: 'c', url: next.url } });
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(answer.headers.get(SERVED_BY)).toBe('c');
    expect(next.received.map((r) => r.method)).toEqual(['GET']);
  });

  it('holds a forwarded request no longer than its forwarder still waits (X-A4C-Hold-Ms)', async () => {
    const view = new FakeView('b');
    view.soon = true; // holds the lock, may act soon: would hold up to its own 3 s
    view.leader = { id: 'b', url: 'http://127.0.0.1:1' };
    const b = await instance(view);
    const answer = await send(`${b.url}/x`, { headers: { [FORWARDED_BY]: 'a', [HOLD_BUDGET]: '300' } });
    expect(answer.status).toBe(503);
    expect(answer.headers.get(NOT_ACTING)).toBe('1');
    expect(answer.ms).toBeGreaterThanOrEqual(290);
    expect(answer.ms).toBeLessThan(1500);
    expect(JSON.parse(answer.text).reason).toBe('no acting leader within 300 ms');
  });

  it('serves a POST body locally when it becomes leader after a refused connection (the paused body flows again)', async () => {
    const view = new FakeView('a');
    view.leader = { id: 'b', url: `http://127.0.0.1:${await freePort()}` }; // dead: connection refused
    const a = await instance(view);
    const body = Buffer.from('{"name":"after-a-crash"}');
    const pending = send(`${a.url}/rest/v1/applications`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    // held means its first attempt already ran into the refused connection, with the body paused
    await waitUntil(() => a.forwarding.pending === 1, { what: 'held' });
    view.set({ acting: true, leader: { id: 'a', url: a.url } });
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(a.bodies).toEqual([createHash('sha256').update(body).digest('hex')]);
  });
});
