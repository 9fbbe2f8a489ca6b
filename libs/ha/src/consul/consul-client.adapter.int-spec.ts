import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startConsulDev, type ConsulDevServer } from '../../../../apps/consul-dev/src/consul-dev-server.js';
import { createTlsMaterial, type TlsMaterial } from '../../../../test/support/tls-material.js';
import { startHealthEndpoint, type HealthEndpoint } from '../../../../test/support/health-endpoint.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { loadConsulTlsMaterial } from '../tls/load-consul-tls-material.js';
import { ConsulClientAdapter, type ConsulConnection } from './consul-client.adapter.js';
import { ConsulAccessDeniedError, ConsulUnavailableError, SessionInvalidatedError, SessionRefusedError } from './consul-errors.js';

const KEY = 'service/a4c/leader';
const bounds = { requestTimeoutMs: 2_000, blockingReadTimeoutMs: 10_000 };

describe('ConsulClientAdapter against consul-dev over real HTTP', () => {
  let consul: ConsulDevServer | undefined;
  let adapter: ConsulClientAdapter | undefined;
  let health: HealthEndpoint;

  beforeAll(async () => {
    health = await startHealthEndpoint();
  });
  afterAll(() => health.close());
  afterEach(async () => {
    adapter?.close();
    adapter = undefined;
    await consul?.close();
    consul = undefined;
    health.status = 200;
  });

  async function connect(options: Parameters<typeof startConsulDev>[0] = {}, connection: Partial<ConsulConnection> = {}): Promise<ConsulClientAdapter> {
    consul = await startConsulDev(options);
    adapter = new ConsulClientAdapter({ host: '127.0.0.1', port: consul.port, ...bounds, ...connection });
    return adapter;
  }

  const registration = (id: string) => ({
    id: `a4c-${id}`,
    name: 'a4c',
    address: '127.0.0.1',
    port: 8088,
    checkId: `service:a4c-${id}`,
    checkUrl: health.url,
    checkIntervalMs: 1_000,
    checkTimeoutMs: 1_000,
    tlsSkipVerify: false,
  });

  async function passingSession(a: ConsulClientAdapter, id: string): Promise<string> {
    await a.registerService(registration(id));
    await waitUntil(async () => (await a.checkStatus(`service:a4c-${id}`)) === 'passing', { what: 'check passing' });
    return a.createSession({ name: `a4c-leader-${id}`, serviceCheckIds: [`service:a4c-${id}`], ttlSeconds: 10, lockDelaySeconds: 0 });
  }

  it('the whole lock cycle: register, check passes, session, acquire, read, renew, release, destroy, deregister', async () => {
    const a = await connect();
    const session = await passingSession(a, 'one');
    const info = (await (await fetch(`http://127.0.0.1:${consul!.port}/v1/session/info/${session}`)).json()) as { LockDelay: number; TTL: string; Checks?: string[]; NodeChecks?: string[] }[];
    expect(info[0]).toMatchObject({ LockDelay: 0, TTL: '10s' }); // "0s" reached Consul: no silent 15 s default
    expect([...(info[0]!.Checks ?? []), ...(info[0]!.NodeChecks ?? [])]).toEqual(expect.arrayContaining(['serfHealth', 'service:a4c-one']));
    expect(await a.acquire(KEY, session, '{"id":"one"}')).toBe(true);
    const read = await a.readKey(KEY);
    expect(read.entry).toMatchObject({ session, lockIndex: 1, value: '{"id":"one"}' });
    expect(read.index).toBeGreaterThan(0);
    expect(await a.renewSession(session)).toBe(true);
    expect(await a.release(KEY, session, '{"id":"one","released":true}')).toBe(true);
    // Consul rewrites the value on release (fact 8): what we sent is what stays
    expect((await a.readKey(KEY)).entry).toMatchObject({ session: null, lockIndex: 1, value: '{"id":"one","released":true}' });
    const consistent = await a.readKey(KEY, { consistent: true });
    expect(consistent.entry).toMatchObject({ session: null, lockIndex: 1 });
    await a.destroySession(session);
    expect(await a.renewSession(session)).toBe(false); // 404 = invalidated
    await a.deregisterService('a4c-one');
    await a.deregisterService('a4c-one'); // idempotent: 404 is fine
    expect(await a.checkStatus('service:a4c-one')).toBeUndefined();
  });

  it('a refused acquire is false (the client says undefined); a dead session is SessionInvalidatedError', async () => {
    const a = await connect();
    const first = await passingSession(a, 'one');
    const second = await passingSession(a, 'two');
    expect(await a.acquire(KEY, first, 'x')).toBe(true);
    expect(await a.acquire(KEY, second, 'y')).toBe(false);
    await a.destroySession(second);
    await expect(a.acquire(KEY, second, 'y')).rejects.toBeInstanceOf(SessionInvalidatedError);
  });

  it('session creation is refused while the check is critical (SessionRefusedError)', async () => {
    const a = await connect();
    health.status = 503;
    await a.registerService(registration('sick'));
    await expect(
      a.createSession({ name: 'x', serviceCheckIds: ['service:a4c-sick'], ttlSeconds: 10, lockDelaySeconds: 0 }),
    ).rejects.toBeInstanceOf(SessionRefusedError);
  });

  it('a blocking read returns when the key changes, and is cancelled by its AbortSignal', async () => {
    const a = await connect();
    const session = await passingSession(a, 'one');
    const first = await a.readKey(KEY);
    const waiting = a.readKey(KEY, { index: first.index, waitMs: 30_000 });
    await a.acquire(KEY, session, 'v');
    expect((await waiting).entry?.session).toBe(session);
    const abort = new AbortController();
    const blocked = a.readKey(KEY, { index: (await a.readKey(KEY)).index, waitMs: 60_000, signal: abort.signal });
    abort.abort();
    await expect(blocked).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an agent that is down is a ConsulUnavailableError, bounded by the request timeout', async () => {
    const a = await connect();
    await consul!.api.stop();
    await expect(a.checkStatus('x')).rejects.toBeInstanceOf(ConsulUnavailableError);
  });

  it('a Consul that accepts the connection but never answers: ConsulUnavailableError after the request timeout, never a hang', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const a = new ConsulClientAdapter({ host: '127.0.0.1', port: (silent.address() as AddressInfo).port, requestTimeoutMs: 300, blockingReadTimeoutMs: 10_000 });
    try {
      await expect(a.checkStatus('x')).rejects.toThrow(new ConsulUnavailableError('list checks', 'no answer within 300 ms'));
    } finally {
      a.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('what goes on the wire: the token in X-Consul-Token (never the URL), dc, the key with its slashes, flags and blocking parameters', async () => {
    const seen: Array<{ method?: string; url?: string; token?: string | string[] }> = [];
    const recorder = createServer((request: IncomingMessage, response) => {
      seen.push({ method: request.method, url: request.url, token: request.headers['x-consul-token'] });
      response.writeHead(404, { 'x-consul-index': '42' }).end();
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    const a = new ConsulClientAdapter({ host: '127.0.0.1', port: (recorder.address() as AddressInfo).port, ...bounds, token: 's3cret', datacenter: 'dc2' });
    try {
      expect(await a.readKey(KEY, { consistent: true })).toEqual({ index: 42, entry: null });
      expect(await a.readKey(KEY, { index: 7, waitMs: 5_000 })).toEqual({ index: 42, entry: null });
      expect(seen).toEqual([
        { method: 'GET', url: '/v1/kv/service/a4c/leader?consistent&dc=dc2', token: 's3cret' },
        { method: 'GET', url: '/v1/kv/service/a4c/leader?index=7&wait=5000ms&dc=dc2', token: 's3cret' },
      ]);
    } finally {
      a.close();
      recorder.closeAllConnections();
      await new Promise((resolve) => recorder.close(resolve));
    }
  });

  describe('ACL tokens', () => {
    it('right token works; wrong token: ACL not found; no token: Permission denied', async () => {
      await connect({ aclTokens: ['root-token'] }, { token: 'root-token' });
      const session = await passingSession(adapter!, 'acl');
      expect(await adapter!.acquire(KEY, session, 'v')).toBe(true);
      const wrong = new ConsulClientAdapter({ host: '127.0.0.1', port: consul!.port, ...bounds, token: 'nope' });
      const none = new ConsulClientAdapter({ host: '127.0.0.1', port: consul!.port, ...bounds });
      try {
        await expect(wrong.readKey(KEY)).rejects.toThrow(ConsulAccessDeniedError);
        await expect(wrong.readKey(KEY)).rejects.toThrow(/ACL not found/);
        await expect(none.renewSession(session)).rejects.toThrow(/Permission denied/);
      } finally {
        wrong.close();
        none.close();
      }
    });
  });

  describe('HTTPS with client certificates (verify_incoming)', () => {
    let tls: TlsMaterial;
    beforeAll(async () => {
      tls = await createTlsMaterial();
    }, 60_000);
    afterAll(async () => {
      await tls?.cleanup();
    });

    const consulTls = () => ({
      cert: readFileSync(tls.server.cert),
      key: readFileSync(tls.server.key),
      ca: readFileSync(tls.ca.cert),
      verifyIncoming: true,
    });

    it.each([
      ['PKCS#12', () => ({ keyStorePath: tls.client.p12, trustStorePath: tls.truststore.p12 })],
      ['PEM', () => ({ keyStorePath: tls.client.pem, trustStorePath: tls.truststore.pem })],
      ['JKS', () => ({ keyStorePath: tls.client.jks!, trustStorePath: tls.truststore.jks! })],
    ])('%s key and trust stores: mutual TLS works', async (_format, stores) => {
      const material = loadConsulTlsMaterial({ ...stores(), keyStoresPwd: tls.password });
      const a = await connect({ tls: consulTls() }, { tls: material });
      await a.registerService(registration('tls'));
      expect(await a.checkStatus('service:a4c-tls')).toBeDefined();
    });

    it('without a client certificate the handshake fails: an error, never a plain-HTTP fallback', async () => {
      const material = loadConsulTlsMaterial({ trustStorePath: tls.truststore.pem, keyStoresPwd: tls.password });
      const a = await connect({ tls: consulTls() }, { tls: material });
      await expect(a.checkStatus('x')).rejects.toBeInstanceOf(ConsulUnavailableError);
    });
  });
});
