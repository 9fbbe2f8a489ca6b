import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { freePort } from '../../../../test/support/free-port.js';
import { HttpLeaderWatch } from './http-leader-watch.js';

/** What the watch sees over real sockets: a holder that answers, one whose process goes away, none at all. */
describe('HttpLeaderWatch over real HTTP (rule 14)', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  async function holder(handle: (req: http.IncomingMessage, res: http.ServerResponse, socket: Socket) => void): Promise<string> {
    const server = http.createServer((req, res) => handle(req, res, req.socket));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const watch = new HttpLeaderWatch({ adminToken: 't0ken', silenceMs: 2_000 });
  const signal = () => AbortSignal.timeout(10_000);

  it('the holder answers (it stopped holding): ended; the request carried the admin token', async () => {
    let auth: string | undefined;
    const url = await holder((req, res) => {
      auth = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => res.end('{"holding":false}'), 50);
    });
    expect(await watch.watch({ id: 'a', url }, signal())).toBe('ended');
    expect(auth).toBe('Bearer t0ken');
  });

  it('the holder\'s sockets close mid-hold (what the kernel does for a killed process): broken', async () => {
    const url = await holder((_req, res, socket) => {
      res.writeHead(200);
      res.flushHeaders();
      setTimeout(() => socket.destroy(), 50);
    });
    expect(await watch.watch({ id: 'a', url }, signal())).toBe('broken');
  });

  it('nothing listens at the address: broken (the proof is asked separately)', async () => {
    const port = await freePort();
    expect(await watch.watch({ id: 'a', url: `http://127.0.0.1:${port}` }, signal())).toBe('broken');
  });

  it('the holder refuses the watch (wrong token, older version): rejected', async () => {
    const url = await holder((_req, res) => res.writeHead(401).end('{}'));
    expect(await watch.watch({ id: 'a', url }, signal())).toBe('rejected');
  });

  it('a silent holder (frozen): given up after the silence bound as telling nothing, not as a break', async () => {
    const url = await holder((_req, res) => {
      res.writeHead(200);
      res.flushHeaders();
    });
    const quick = new HttpLeaderWatch({ silenceMs: 300 });
    expect(await quick.watch({ id: 'a', url }, signal())).toBe('ended');
  });
});
