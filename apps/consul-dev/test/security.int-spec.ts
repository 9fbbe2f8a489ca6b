// docs/consul-behaviour.md §7 (checklist item 8): ACL tokens and HTTPS with client-certificate verification.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import Consul from 'consul';
import { type TlsMaterial, createTlsMaterial } from '../../../test/support/tls-material.js';
import { useDoubles } from './double.js';

const start = useDoubles();
const MGMT = 'management-secret';
const READ = 'read-only-secret';

describe('ACL tokens (docs/consul-behaviour.md §7.1)', () => {
  it('fact 18: the management token is accepted through X-Consul-Token, Authorization: Bearer and ?token=', async () => {
    const d = await start({ aclTokens: [MGMT, READ] });
    expect((await d.call('PUT', '/v1/kv/a', 'v', { 'X-Consul-Token': MGMT })).text).toBe('true');
    expect((await d.call('PUT', '/v1/kv/b', 'v', { Authorization: `Bearer ${MGMT}` })).text).toBe('true');
    expect((await d.call('PUT', `/v1/kv/c?token=${MGMT}`, 'v')).text).toBe('true');
    const client = new Consul({ host: '127.0.0.1', port: d.server.port, defaults: { token: MGMT } });
    try {
      expect((await client.session.create({})).ID).toMatch(/-/);
    } finally {
      client.destroy();
    }
  });

  it('fact 18: an unknown token is 403 ACL not found', async () => {
    const d = await start({ aclTokens: [MGMT] });
    const r = await d.call('GET', '/v1/kv/a', undefined, { 'X-Consul-Token': 'who' });
    expect([r.status, r.text]).toEqual([403, 'ACL not found']);
  });

  it('§7.1: no token means the anonymous token, denied with Permission denied: anonymous token lacks permission ...', async () => {
    const d = await start({ aclTokens: [MGMT] });
    const r = await d.call('PUT', '/v1/session/create');
    expect([r.status, r.text]).toEqual([
      403,
      'Permission denied: anonymous token lacks permission \'session:write\' on "consul-dev". The anonymous token is used implicitly when a request does not specify a token.',
    ]);
    expect((await d.call('GET', '/v1/kv/x')).text).toMatch(/^Permission denied: anonymous token lacks permission 'key:read' on "x"/);
    await expect(d.consul.kv.set('x', 'v')).rejects.toThrow(); // the client words a 403 as "forbidden"
  });

  it('§7.1: a read-only token reads but cannot write (Permission denied with its AccessorID)', async () => {
    const d = await start({ aclTokens: [`${MGMT}`, READ] });
    await d.call('PUT', '/v1/kv/k', 'v', { 'X-Consul-Token': MGMT });
    expect((await d.call('GET', '/v1/kv/k', undefined, { 'X-Consul-Token': READ })).status).toBe(200);
    const w = await d.call('PUT', '/v1/kv/k', 'v', { 'X-Consul-Token': READ });
    expect(w.status).toBe(403);
    expect(w.text).toMatch(/^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:write' on "k"$/);
  });
});

describe('HTTPS and client certificates (docs/consul-behaviour.md §7.2)', () => {
  let tls: TlsMaterial;
  beforeAll(async () => {
    tls = await createTlsMaterial({ jks: false });
  });
  afterAll(async () => {
    await tls?.cleanup();
  });
  const material = (verifyIncoming: boolean) => ({
    cert: readFileSync(tls.server.cert),
    key: readFileSync(tls.server.key),
    ca: readFileSync(tls.ca.cert),
    verifyIncoming,
  });

  it('§7.2: serves HTTPS with a certificate valid for 127.0.0.1; the consul client works over it', async () => {
    const d = await start({ tls: material(false) });
    const agent = new https.Agent({ ca: readFileSync(tls.ca.cert) });
    const client = new Consul({ host: '127.0.0.1', port: d.server.port, secure: true, agent });
    try {
      expect(await client.kv.set('k', 'v')).toBe(true);
      expect(await client.status.leader()).toBe('127.0.0.1:8300');
    } finally {
      client.destroy();
      agent.destroy();
    }
  });

  it('§7.2: with verify-incoming, a client without a certificate fails the handshake; one signed by the CA gets through', async () => {
    const d = await start({ tls: material(true) });
    const get = (options: https.RequestOptions) =>
      new Promise<number>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port: d.server.port, path: '/v1/status/leader', ca: readFileSync(tls.ca.cert), agent: false, ...options }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
    await expect(get({})).rejects.toThrow();
    expect(await get({ cert: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) })).toBe(200);
  });
});
