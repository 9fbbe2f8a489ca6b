import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../test/support/wait-until.js';
import { CountingProxy } from './counting-proxy.js';

describe('CountingProxy in front of a Consul-like HTTP server', () => {
  let upstream: Server;
  let proxy: CountingProxy;
  let openBlocking = 0;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      if (req.url?.startsWith('/v1/kv/')) {
        // a blocking query: answers only after a while, like ?index=&wait=
        openBlocking += 1;
        const timer = setTimeout(() => res.end('[]'), 5_000);
        res.on('close', () => {
          clearTimeout(timer);
          openBlocking -= 1;
        });
        return;
      }
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': '42' });
        res.end(JSON.stringify({ method: req.method, url: req.url, body }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    proxy = await CountingProxy.start((upstream.address() as AddressInfo).port);
  });
  afterAll(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('passes requests, bodies and headers through unchanged and counts them per endpoint', async () => {
    proxy.reset();
    const renew = await fetch(`http://127.0.0.1:${proxy.port}/v1/session/renew/3f2c6a1e-1b2c-4d5e-8f90-0123456789ab`, { method: 'PUT', body: '{}' });
    expect(renew.headers.get('x-consul-index')).toBe('42');
    expect(await renew.json()).toEqual({ method: 'PUT', url: '/v1/session/renew/3f2c6a1e-1b2c-4d5e-8f90-0123456789ab', body: '{}' });
    await (await fetch(`http://127.0.0.1:${proxy.port}/v1/session/renew/0f2c6a1e-1b2c-4d5e-8f90-0123456789ab`, { method: 'PUT' })).arrayBuffer();
    expect(proxy.snapshot()).toEqual({ total: 2, byEndpoint: { 'PUT /v1/session/renew/:id': 2 } });
  });

  it('cuts the upstream request when the client gives up on a blocking query', async () => {
    const aborted = fetch(`http://127.0.0.1:${proxy.port}/v1/kv/service%2Fa4c%2Fleader?index=7&wait=180s`, { signal: AbortSignal.timeout(200) });
    await expect(aborted).rejects.toThrow();
    await waitUntil(() => openBlocking === 0, { timeoutMs: 2_000, what: 'the upstream blocking query closed' });
  });
});
