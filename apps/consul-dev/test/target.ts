// A tiny HTTP server the double's HTTP checks probe: its answer is set by the test, and it records the
// requests it receives.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CheckTarget {
  url: string;
  status: number;
  body: string;
  /** When true, requests are never answered (to hit the check timeout). */
  hang: boolean;
  requests: Array<{ method: string; headers: http.IncomingHttpHeaders; at: number }>;
  close(): Promise<void>;
}

export async function startCheckTarget(): Promise<CheckTarget> {
  const target = { status: 200, body: 'ok', hang: false, requests: [] } as unknown as CheckTarget;
  const server = http.createServer((req, res) => {
    target.requests.push({ method: req.method ?? '', headers: req.headers, at: performance.now() });
    if (target.hang) return;
    res.statusCode = target.status;
    res.end(target.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  target.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return target;
}
