import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../test/support/wait-until.js';
import { SERVED_BY } from './tagged-haproxy.js';
import { Traffic } from './traffic.js';

describe('Traffic against a server that changes who answers', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; by: string; delayMs: number } = { status: 200, by: 'a4c-1', delayMs: 0 };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      const { status, by, delayMs } = answer;
      setTimeout(() => res.writeHead(status, { [SERVED_BY]: by }).end('[]'), delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('records every answer with who served it, and finds the earliest-answered 2xx from someone else', async () => {
    const traffic = new Traffic({ target: url, intervalMs: 10 });
    traffic.start();
    try {
      await waitUntil(() => traffic.firstSuccess(0, undefined), { what: 'a first 2xx' });
      // a slow request still in flight when a faster one is sent must not count as "first"
      answer = { status: 200, by: 'a4c-2', delayMs: 300 };
      const slowFrom = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = { status: 503, by: 'a4c-2', delayMs: 0 };
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = { status: 200, by: 'a4c-3', delayMs: 0 };
      const first = await waitUntil(() => traffic.firstSuccess(slowFrom, 'a4c-1'), { what: 'a 2xx from someone else' });
      expect(first.server).toBe('a4c-3'); // answered before the slow a4c-2 ones, though sent after them
      await waitUntil(() => traffic.since(slowFrom).some((s) => s.server === 'a4c-2' && s.status === 200), { what: 'the slow answers' });
      expect(traffic.firstSuccess(slowFrom, 'a4c-1')!.server).toBe('a4c-3');
      expect(traffic.since(slowFrom).some((s) => s.status === 503)).toBe(true);
      const totals = traffic.totals();
      expect(totals.ok).toBeGreaterThan(0);
      expect(totals.failed).toBeGreaterThan(0);
    } finally {
      await traffic.stop();
    }
  });
});
