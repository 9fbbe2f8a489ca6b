import http from 'node:http';
import https from 'node:https';

/** Where Consul's HTTP API is and how to reach it. */
export interface ConsulEndpoint {
  host: string;
  port: number;
  /** TLS material for https (consul_tls_enabled); absent means plain http. Never a silent fallback. */
  tls?: { ca?: (string | Buffer)[]; cert?: string | Buffer; key?: string | Buffer; pfx?: Buffer; passphrase?: string };
  /** ACL token, sent as X-Consul-Token (never in the URL, so never in an access log). */
  token?: string;
  /** `?dc=` on every call. */
  datacenter?: string;
}

export interface ConsulRequest {
  /** The query (a flag such as `consistent` as an empty string); `dc` is added from the endpoint. */
  query?: Record<string, string>;
  /** A string is sent as is (a KV value), anything else as JSON. */
  body?: unknown;
  /** The whole call, connect to last byte, is bounded by this. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Consul's answer, whatever its status (the caller decides what a 404 or a 500 means). */
export interface ConsulResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * The HTTP transport of the Consul adapter: `/v1` calls on one keep-alive agent (https with the
 * configured CA, client certificate or PKCS#12 store), the token in a header, every call bounded and
 * cancellable. Transport failures reject with the socket's error; closing the agent ends calls in flight.
 */
export class ConsulHttp {
  private readonly agent: http.Agent;

  constructor(private readonly endpoint: ConsulEndpoint) {
    this.agent = endpoint.tls ? new https.Agent({ keepAlive: true, ...endpoint.tls }) : new http.Agent({ keepAlive: true });
  }

  /** Closes kept-alive sockets, which also ends blocking reads still in flight. */
  close(): void {
    this.agent.destroy();
  }

  request(method: 'GET' | 'PUT', path: string, { query = {}, body, timeoutMs, signal }: ConsulRequest): Promise<ConsulResponse> {
    const search = new URLSearchParams(query);
    if (this.endpoint.datacenter) search.set('dc', this.endpoint.datacenter);
    const headers: http.OutgoingHttpHeaders = {};
    if (this.endpoint.token) headers['x-consul-token'] = this.endpoint.token;
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    if (payload) headers['content-length'] = payload.length;
    const qs = search.size > 0 ? `?${search.toString().replace(/=(?=&|$)/g, '')}` : '';
    const options: http.RequestOptions = { host: this.endpoint.host, port: this.endpoint.port, method, path: `/v1${path}${qs}`, headers, agent: this.agent, signal };
    return new Promise<ConsulResponse>((resolve, reject) => {
      const request = (this.endpoint.tls ? https : http).request(options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(payload);
    });
  }
}

/** A key's path segments escaped one by one: the slashes of `service/a4c/leader` stay path separators. */
export function keyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
