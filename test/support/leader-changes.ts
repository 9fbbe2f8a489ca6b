import type { A4cCluster, A4cInstance } from './a4c-cluster.js';
import { startHaproxy } from './haproxy.js';
import type { OpenLoopSample } from './load-generator.js';
import { startNginx, type Nginx } from './nginx.js';
import { waitUntil } from './wait-until.js';

/**
 * Leader changes under user traffic, shared by the zero-error e2e suite and the bench: the shipped proxy
 * samples in front of a cluster, one change at a time (SIGKILL, step-down, SIGTERM), and per change the
 * failed requests and the latency users saw.
 */
export type ChangeKind = 'sigkill' | 'step-down' | 'sigterm';
export type ProxyKind = 'haproxy' | 'nginx';

/** One leader change: what was done to whom, when, and when the successor was seen acting. */
export interface ChangeEvent {
  kind: ChangeKind;
  at: number;
  from: string;
  to: string;
  actingAt: number;
  exitedAt?: number;
}

export interface RunningProxy {
  url: string;
  /** The proxy's own output (logs), for diagnosis. */
  output(): string;
  stop(): Promise<void>;
}

export async function actingLeader(c: A4cCluster, not?: A4cInstance): Promise<A4cInstance> {
  return waitUntil(async () => (await c.leaders()).find((i) => i !== not && i.process.hasExited === false), { timeoutMs: 30_000, intervalMs: 50, what: 'an acting leader' });
}

/** The shipped HAProxy, or nginx with consul-template's part played by a loop over the instances' views. */
export async function startProxy(kind: ProxyKind, c: A4cCluster): Promise<RunningProxy> {
  if (kind === 'haproxy') {
    const h = await startHaproxy(c.instances.map((i) => i.port));
    return { url: h.url, output: () => h.process.output(), stop: () => h.stop() };
  }
  const n = await startNginx({ leader: null, passing: c.instances.map((i) => ({ id: i.instanceId, port: i.port })) });
  const refresher = keepNginxRendered(c, n);
  return {
    url: n.url,
    output: () => `${n.process.output()}\n${n.errorLog()}`,
    async stop() {
      await refresher.stop();
      await n.stop();
    },
  };
}

/** consul-template's part for nginx: re-render from the instances' own view whenever it changes. */
function keepNginxRendered(c: A4cCluster, nginx: Nginx): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      const live = c.live().filter((i) => i.instanceId);
      const states = await Promise.all(
        live.map(async (i) => ({ i, leader: await i.isActiveLeader(), healthy: (await fetch(`${i.url}/rest/admin/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined))?.status === 200 })),
      );
      const leader = states.find((s) => s.leader);
      await nginx.render({
        leader: leader ? { id: leader.i.instanceId, port: leader.i.port } : null,
        passing: states.filter((s) => s.healthy).map((s) => ({ id: s.i.instanceId, port: s.i.port })),
      });
      await new Promise((resolve) => setTimeout(resolve, 200)); // pacing, about consul-template's own reaction time
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

/**
 * Makes the acting leader go (SIGKILL, step-down with the admin token, SIGTERM), waits for a successor to
 * act, and for a stopped one restarts it on the same port with `args`; then waits until every instance
 * passes its health check again (the proxies' view) before the next change.
 */
export async function changeLeader(c: A4cCluster, kind: ChangeKind, options: { token: string; args: string[] }): Promise<ChangeEvent> {
  const leader = await actingLeader(c);
  const at = Date.now();
  let event: ChangeEvent;
  if (kind === 'step-down') {
    const answer = await fetch(`${leader.url}/rest/admin/ha/step-down`, { method: 'POST', headers: { authorization: `Bearer ${options.token}` } });
    if (answer.status !== 202) throw new Error(`step-down answered ${answer.status}: ${await answer.text()}`);
    const next = await actingLeader(c, leader);
    event = { kind, at, from: leader.instanceId, to: next.instanceId, actingAt: Date.now() };
  } else {
    leader.signal(kind === 'sigkill' ? 'SIGKILL' : 'SIGTERM');
    const next = await actingLeader(c, leader);
    const actingAt = Date.now();
    await waitUntil(() => leader.process.hasExited, { timeoutMs: 30_000, what: `${leader.instanceId} to exit` }).catch((error: Error) => {
      throw new Error(`${error.message}; its last lines:\n${leader.lines.slice(-40).map((l) => l.text).join('\n')}`, { cause: error });
    });
    event = { kind, at, from: leader.instanceId, to: next.instanceId, actingAt, exitedAt: leader.exitedAt };
    await c.addInstance({ port: leader.port, args: options.args }); // back in the race, on the same address
  }
  const healthy = async (i: A4cInstance) => (await fetch(`${i.url}/rest/admin/health`).catch(() => undefined))?.status === 200;
  await waitUntil(async () => (await Promise.all(c.live().map(healthy))).every(Boolean), { timeoutMs: 30_000, what: 'all instances healthy' });
  return event;
}

export const succeeded = (s: OpenLoopSample): boolean => s.status >= 200 && s.status < 300;

/**
 * A request that failed while in flight on a SIGKILLed leader: sent before the killed process was seen
 * gone and answered after the kill (a connection its socket accepted while dying counts). A POST there
 * may or may not have been applied, so nobody may resend it; through HAProxy a GET there can fail too
 * (docs/failure-modes.md, "Forwarding").
 */
export function inFlightOnKill(s: OpenLoopSample, events: readonly ChangeEvent[]): boolean {
  return !succeeded(s) && events.some((e) => e.kind === 'sigkill' && s.sentAt <= (e.exitedAt ?? e.at) && e.at <= s.doneAt);
}

/** The requests that belong to a change: sent from just before it until the next change. */
export function samplesOf(event: ChangeEvent, next: ChangeEvent | undefined, samples: readonly OpenLoopSample[]): OpenLoopSample[] {
  const from = event.at - 1000; // a request in flight at the change belongs to it
  return samples.filter((s) => s.sentAt >= from && (next === undefined || s.sentAt < next.at - 1000));
}

export interface ChangeFigures {
  kind: ChangeKind;
  failoverMs: number;
  gets: number;
  failedGets: number;
  posts: number;
  failedPosts: number;
  /** Failed GETs that were in flight on the SIGKILLed leader. */
  failedGetsInFlightOnKill: number;
  /** Failed POSTs that were in flight on the SIGKILLed leader. */
  failedPostsInFlightOnKill: number;
  /** p99 latency of the requests in flight at the change or sent until the successor acted. */
  p99GetMs: number;
  p99PostMs: number;
}

/** Per change: failures and the p99 latency of the requests that met the leaderless moment. */
export function changeFigures(events: readonly ChangeEvent[], samples: readonly OpenLoopSample[]): ChangeFigures[] {
  return events.map((event, n) => {
    const mine = samplesOf(event, events[n + 1], samples);
    const during = mine.filter((s) => s.doneAt >= event.at && s.sentAt <= event.actingAt);
    const gets = mine.filter((s) => s.kind === 'read');
    const posts = mine.filter((s) => s.kind === 'write');
    return {
      kind: event.kind,
      failoverMs: event.actingAt - event.at,
      gets: gets.length,
      failedGets: gets.filter((s) => !succeeded(s)).length,
      posts: posts.length,
      failedPosts: posts.filter((s) => !succeeded(s)).length,
      failedGetsInFlightOnKill: gets.filter((s) => inFlightOnKill(s, [event])).length,
      failedPostsInFlightOnKill: posts.filter((s) => inFlightOnKill(s, [event])).length,
      p99GetMs: percentile99(during.filter((s) => s.kind === 'read').map((s) => s.doneAt - s.sentAt)),
      p99PostMs: percentile99(during.filter((s) => s.kind === 'write').map((s) => s.doneAt - s.sentAt)),
    };
  });
}

export function percentile99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

/** A failed request told relative to the nearest leader change, for reports and failing assertions. */
export function explainFailure(s: OpenLoopSample, events: readonly ChangeEvent[]): string {
  const near = events.reduce<ChangeEvent | undefined>((best, e) => (!best || Math.abs(e.at - s.sentAt) < Math.abs(best.at - s.sentAt) ? e : best), undefined);
  const where = near
    ? `${near.kind} ${near.from}->${near.to} (acting +${near.actingAt - near.at} ms${near.exitedAt ? `, exited +${near.exitedAt - near.at} ms` : ''}): sent ${s.sentAt - near.at} ms, answered ${s.doneAt - near.at} ms`
    : '';
  return `${s.kind} ${s.name ?? ''} ${s.status} by ${s.servedBy ?? '-'} ${where} ${s.error ?? ''}`;
}
