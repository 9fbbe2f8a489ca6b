// The fault-injection and inspection API, on its own plain-HTTP port (documented in the README):
// JSON in, JSON out, never subject to the faults it injects. Cluster faults are per agent, by node name.
import http from 'node:http';
import type { ApiListener } from '../api-listener.js';
import { CHECK_STATUSES } from '../checks/check-definition.js';
import { type Cluster, ClusterError } from '../cluster/cluster.js';
import { pickTimings } from '../cluster/fault-timings.js';
import { parseRecoverySteps } from '../cluster/recovery-plan.js';
import type { ConsulState } from '../state/consul-state.js';
import type { FaultState } from './fault-state.js';

export interface ControlDeps {
  state: ConsulState;
  faults: FaultState;
  /** The first agent's API port (the /api/stop and /api/resume routes). */
  api: ApiListener;
  scheme: 'http' | 'https';
  cluster: Cluster;
}

class ControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function jsonBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new ControlError(400, 'body must be a JSON object');
}

function nonNegative(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0)) throw new ControlError(400, `${field} must be a number >= 0`);
  return value;
}

/** Per-call overrides of the fault delays (detectMs, rejoinMs, ...). */
const timings = (body: Record<string, unknown>) => pickTimings(body, (message) => new ControlError(400, message));

type Action = (deps: ControlDeps, body: Record<string, unknown>, param: string) => Promise<unknown> | unknown;

function snapshot(deps: ControlDeps) {
  return { ...deps.state.snapshot(), faults: deps.faults.snapshot(), listening: deps.api.listening, scheme: deps.scheme, ...deps.cluster.snapshot() };
}

function forceCheck(deps: ControlDeps, body: Record<string, unknown>, id: string): unknown {
  const status = body.status ?? body.Status;
  if (typeof status !== 'string' || !CHECK_STATUSES.includes(status)) throw new ControlError(400, 'status must be passing, warning or critical');
  const output = body.output ?? body.Output ?? `forced ${status} by consul-dev control API`;
  const pin = body.pin !== false;
  if (!deps.state.registry.updateStatus(id, status, String(output), { force: true, pin })) throw new ControlError(404, `no check ${JSON.stringify(id)}`);
  return undefined;
}

const ROUTES: Array<{ method: string; pattern: RegExp; action: Action }> = [
  { method: 'GET', pattern: /^\/state$/, action: (d) => snapshot(d) },
  { method: 'POST', pattern: /^\/faults\/hang$/, action: (d) => d.faults.setHang(true) },
  { method: 'DELETE', pattern: /^\/faults\/hang$/, action: (d) => d.faults.setHang(false) },
  { method: 'POST', pattern: /^\/faults\/no-leader$/, action: (d, b) => d.faults.setNoLeader(nonNegative(b.holdMs, 'holdMs', 0)) },
  { method: 'DELETE', pattern: /^\/faults\/no-leader$/, action: (d) => d.faults.setNoLeader(null) },
  {
    method: 'POST',
    pattern: /^\/faults\/latency$/,
    action: (d, b) => {
      d.faults.latencyMs = nonNegative(b.ms, 'ms', 0);
    },
  },
  { method: 'DELETE', pattern: /^\/faults\/latency$/, action: (d) => void (d.faults.latencyMs = 0) },
  { method: 'DELETE', pattern: /^\/faults$/, action: (d) => d.faults.clear() },
  { method: 'PUT', pattern: /^\/checks\/(.+)\/status$/, action: forceCheck },
  {
    method: 'DELETE',
    pattern: /^\/checks\/(.+)\/status$/,
    action: (d, _b, id) => {
      if (!d.state.registry.unpin(id)) throw new ControlError(404, `no check ${JSON.stringify(id)}`);
    },
  },
  {
    method: 'POST',
    pattern: /^\/sessions\/(.+)\/invalidate$/,
    action: (d, _b, id) => {
      if (d.state.sessions.get(id) === undefined) throw new ControlError(404, `no session ${JSON.stringify(id)}`);
      d.state.sessions.destroy(id);
    },
  },
  {
    method: 'POST',
    pattern: /^\/reset$/,
    action: (d, b) => {
      const index = nonNegative(b.index, 'index', 10);
      if (index < 1 || !Number.isInteger(index)) throw new ControlError(400, 'index must be an integer >= 1');
      d.state.reset(index);
    },
  },
  { method: 'POST', pattern: /^\/agents\/kill$/, action: (d, b) => d.cluster.killAll(timings(b)) },
  { method: 'POST', pattern: /^\/agents\/partition$/, action: (d, b) => d.cluster.partitionAll(timings(b)) },
  {
    method: 'POST',
    pattern: /^\/recovery$/,
    action: (d, b) => d.cluster.recover(parseRecoverySteps(b, (message) => new ControlError(400, message)), timings(b)),
  },
  { method: 'POST', pattern: /^\/agents\/([^/]+)\/partition$/, action: (d, b, node) => d.cluster.partition(node, timings(b)) },
  { method: 'DELETE', pattern: /^\/agents\/([^/]+)\/partition$/, action: (d, b, node) => d.cluster.heal(node, timings(b)) },
  { method: 'POST', pattern: /^\/agents\/([^/]+)\/kill$/, action: (d, b, node) => d.cluster.kill(node, timings(b)) },
  { method: 'POST', pattern: /^\/agents\/([^/]+)\/restart$/, action: (d, b, node) => d.cluster.restart(node, timings(b)) },
  { method: 'POST', pattern: /^\/agents\/([^/]+)\/leave$/, action: (d, _b, node) => d.cluster.leave(node) },
  { method: 'POST', pattern: /^\/servers\/quorum-loss$/, action: (d, b) => d.cluster.loseQuorum(timings(b)) },
  { method: 'DELETE', pattern: /^\/servers\/quorum-loss$/, action: (d) => d.cluster.restoreQuorum() },
  { method: 'POST', pattern: /^\/api\/stop$/, action: (d) => d.api.stop() },
  { method: 'POST', pattern: /^\/api\/resume$/, action: (d) => d.api.resume() },
];

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

export function createControlServer(deps: ControlDeps): http.Server {
  return http.createServer((req, res) => {
    void (async () => {
      try {
        const path = new URL(req.url ?? '/', 'http://control').pathname;
        const candidates = ROUTES.filter((r) => r.pattern.test(path));
        if (candidates.length === 0) throw new ControlError(404, `unknown control path ${path}`);
        const route = candidates.find((r) => r.method === req.method);
        if (route === undefined) throw new ControlError(405, `method ${req.method} not allowed on ${path}`);
        const param = decodeURIComponent(route.pattern.exec(path)?.[1] ?? '');
        const result = await route.action(deps, await jsonBody(req), param);
        send(res, 200, result ?? snapshot(deps));
      } catch (error) {
        const status = error instanceof ControlError || error instanceof ClusterError ? error.status : 500;
        send(res, status, { error: (error as Error).message });
      }
    })();
  });
}
