import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through HTTP proxy in front of consul-dev, one per A4C instance, that counts the requests the
 * instance sends to Consul (consul-dev has no per-client counters). Bodies and blocking queries are
 * streamed untouched; the hop costs well under a millisecond on loopback.
 */
export class CountingProxy {
  private counts = new Map<string, number>();
  private readonly server: Server;

  private constructor(consulPort: number) {
    const agent = new Agent({ keepAlive: true });
    this.server = createServer((req, res) => {
      this.count(req.method ?? 'GET', req.url ?? '/');
      const upstream = request({ host: '127.0.0.1', port: consulPort, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      // the instance died or gave up (a blocking query it no longer waits for): do not keep it open upstream
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    });
  }

  static async start(consulPort: number): Promise<CountingProxy> {
    const proxy = new CountingProxy(consulPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Counts since the last reset, keyed by `METHOD /v1/path` with ids replaced by `:id`. */
  snapshot(): { total: number; byEndpoint: Record<string, number> } {
    const byEndpoint = Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
    return { total: [...this.counts.values()].reduce((a, b) => a + b, 0), byEndpoint };
  }

  reset(): void {
    this.counts = new Map();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private count(method: string, url: string): void {
    const key = `${method} ${endpointOf(url)}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/** `/v1/session/renew/3f2c...?dc=x` -> `/v1/session/renew/:id`; the key path of KV is kept (it is one key). */
export function endpointOf(url: string): string {
  const path = url.split('?')[0] ?? '/';
  return path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id').replace(/\/(service|check)\/(deregister|pass|warn|fail|update)\/[^/]+$/, '/$1/$2/:id');
}
