import http from 'node:http';
import https from 'node:https';
import type { PeerProbePort } from '../election/ports.js';
import { TAKEOVER_PROBE } from './takeover-probe-header.js';

type Answer = Awaited<ReturnType<PeerProbePort['probe']>>;

/**
 * Asks a predecessor's leader probe (`GET <url>/rest/admin/ha/leader`) whether it still acts, for rule 10
 * (docs/architecture.md). Only two answers make a takeover safe: nothing listens at its address
 * (ECONNREFUSED: the process is gone), or a 503 in which it names itself and says it does not lead (an
 * answer it promises to keep, because the request carries the X-A4C-Takeover-Probe header: ActingTerm.promiseNotActing). Everything else, including a timeout (a frozen
 * process still has its socket), another instance at that address or a TLS failure, is `unknown`.
 */
export class HttpPeerProbe implements PeerProbePort {
  constructor(private readonly options: { timeoutMs: number; ca?: string | Buffer }) {}

  probe(peer: { id: string; url: string }, signal: AbortSignal): Promise<Answer> {
    let target: URL;
    try {
      target = new URL('/rest/admin/ha/leader', peer.url);
    } catch {
      return Promise.resolve('unknown');
    }
    const client = target.protocol === 'https:' ? https : http;
    return new Promise<Answer>((resolve) => {
      const request = client.get(
        target,
        { signal, timeout: this.options.timeoutMs, agent: false, headers: { 'user-agent': 'a4c-ha takeover probe', [TAKEOVER_PROBE]: '1' }, ...(this.options.ca ? { ca: this.options.ca } : {}) },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.length < 64 && chunks.push(chunk));
          response.on('end', () => resolve(judge(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), peer.id)));
          response.on('error', () => resolve('unknown'));
        },
      );
      request.on('timeout', () => request.destroy(new Error('probe timed out')));
      request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'unknown'));
    });
  }
}

function judge(status: number, body: string, id: string): Answer {
  let parsed: { leader?: unknown; instanceId?: unknown } | null;
  try {
    parsed = JSON.parse(body) as { leader?: unknown; instanceId?: unknown };
  } catch {
    return 'unknown';
  }
  if (parsed?.instanceId !== id) return 'unknown'; // somebody else answers at that address now
  if (status === 200 && parsed.leader === true) return 'acting';
  if (status === 503 && parsed.leader === false) return 'not-acting';
  return 'unknown';
}
