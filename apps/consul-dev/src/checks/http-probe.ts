// One HTTP check probe as Consul's CheckHTTP runs it (§6.2): GET by default with
// `User-Agent: Consul Health Check`, no keep-alive, redirects followed (10 max), 2xx → passing,
// 429 → warning, anything else or a transport error → critical, Output in Consul's format.
import http from 'node:http';
import https from 'node:https';
import type { CheckSpec, CheckStatus } from './check-definition.js';

export interface ProbeResult {
  status: CheckStatus;
  output: string;
}

export interface ProbeOptions {
  /** Aborts the probe: the caller arms it with the check's timeout on the (possibly scaled) clock. */
  signal: AbortSignal;
  /** The agent's CA, used to verify HTTPS targets unless TLSSkipVerify. */
  ca?: Buffer;
}

/** BufSize/OutputMaxSize default: Consul keeps at most 4 KiB of the body in Output. */
export const DEFAULT_OUTPUT_MAX_SIZE = 4096;
const MAX_REDIRECTS = 10;

interface Answer {
  statusCode: number;
  statusMessage: string;
  body: string;
  location?: string;
}

function request(url: URL, method: string, spec: CheckSpec, options: ProbeOptions, maxBody: number): Promise<Answer> {
  const headers: Record<string, string | string[]> = {
    'User-Agent': 'Consul Health Check',
    Accept: 'text/plain, text/*, */*',
    Connection: 'close',
  };
  for (const [name, values] of Object.entries(spec.header)) headers[name] = values;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, {
      method,
      headers,
      agent: false,
      signal: options.signal,
      rejectUnauthorized: !spec.tlsSkipVerify,
      ca: options.ca,
      servername: spec.tlsServerName || undefined,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < maxBody) body += chunk;
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({ statusCode: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', body: body.slice(0, maxBody), location: res.headers.location }),
      );
    });
    req.end(spec.body || undefined);
  });
}

/** Go's url.Error wording: `Get "http://x/": dial tcp 127.0.0.1:1: connect: connection refused`. */
function transportError(method: string, url: URL, error: unknown, aborted: boolean): string {
  const op = method.charAt(0) + method.slice(1).toLowerCase();
  const err = error as NodeJS.ErrnoException;
  let detail = err.message;
  if (aborted) detail = 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
  else if (err.code === 'ECONNREFUSED') detail = `dial tcp ${url.host}: connect: connection refused`;
  else if (err.code === 'ECONNRESET') detail = 'EOF';
  return `${op} "${url.href}": ${detail}`;
}

export async function probeHttp(spec: CheckSpec, options: ProbeOptions): Promise<ProbeResult> {
  const method = (spec.method || 'GET').toUpperCase();
  const maxBody = spec.outputMaxSize > 0 ? spec.outputMaxSize : DEFAULT_OUTPUT_MAX_SIZE;
  let url: URL;
  try {
    url = new URL(spec.http);
  } catch (error) {
    return { status: 'critical', output: `${method} ${spec.http}: ${(error as Error).message}` };
  }
  let current = method;
  for (let hop = 0; ; hop++) {
    let answer: Answer;
    try {
      answer = await request(url, current, spec, options, maxBody);
    } catch (error) {
      return { status: 'critical', output: transportError(current, url, error, options.signal.aborted) };
    }
    const redirect = [301, 302, 303, 307, 308].includes(answer.statusCode) && answer.location !== undefined;
    if (redirect && !spec.disableRedirects) {
      if (hop + 1 >= MAX_REDIRECTS) return { status: 'critical', output: `${current} "${url.href}": stopped after 10 redirects` };
      url = new URL(answer.location!, url);
      if (answer.statusCode !== 307 && answer.statusCode !== 308) current = current === 'HEAD' ? 'HEAD' : 'GET';
      continue;
    }
    const code = answer.statusCode;
    const status: CheckStatus = code >= 200 && code <= 299 ? 'passing' : code === 429 ? 'warning' : 'critical';
    return { status, output: `HTTP ${method} ${spec.http}: ${code} ${answer.statusMessage} Output: ${answer.body}` };
  }
}
