import http from 'node:http';
import https from 'node:https';
import { LEADER_WATCH_PATH, type LeaderWatchPort, type WatchOutcome } from './leader-watch.port.js';

/**
 * Holds `GET <holder url>/rest/admin/ha/watch` open (rule 14): the holder answers only when it stops
 * holding the lock or its hold bound runs out; a crash breaks the connection first, because the kernel
 * closes a dead process's sockets. One socket per watcher, no keep-alive, nothing sent per request.
 */
export class HttpLeaderWatch implements LeaderWatchPort {
  /**
   * `silenceMs`: how long a watch may stay silent (no answer, no break) before it is given up as telling
   * nothing: longer than the holder's own hold bound, so only a frozen or unreachable holder hits it.
   */
  constructor(private readonly options: { adminToken?: string; ca?: string[]; silenceMs: number }) {}

  watch(holder: { id: string; url: string }, signal: AbortSignal): Promise<WatchOutcome> {
    let target: URL;
    try {
      target = new URL(LEADER_WATCH_PATH, holder.url);
    } catch {
      return Promise.resolve('rejected');
    }
    const client = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'a4c-ha leader watch', connection: 'close' };
    if (this.options.adminToken) headers.authorization = `Bearer ${this.options.adminToken}`;
    return new Promise<WatchOutcome>((resolve) => {
      const request = client.get(target, { signal, agent: false, headers, ...(this.options.ca ? { ca: this.options.ca } : {}) }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode === 200 ? 'ended' : 'rejected'));
        // the body was cut before its end: the holder's process went away mid-answer
        response.on('aborted', () => resolve('broken'));
        response.on('error', () => resolve('broken'));
      });
      request.setTimeout(this.options.silenceMs, () => {
        resolve('ended'); // first, so the destroy's error below is not taken for a break
        request.destroy();
      });
      request.on('error', () => resolve('broken'));
    });
  }
}
