import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { A4cCluster, type A4cInstance } from '../../../../test/support/a4c-cluster.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { FORWARDED_BY, NOT_ACTING, SERVED_BY } from './forwarding-headers.js';

/**
 * Hold and forward between two real instances (dist/apps/alien4cloud/main.js) on consul-dev
 * (docs/architecture.md §3, "anything else"). The second instance can never lead (its disk threshold is
 * out of reach, so its health is down: rule 8), which makes every leader change deterministic: only the
 * first one leads, steps down and comes back, or dies.
 */
const TOKEN = 'forwarding-int-token';
const FORWARD_TIMEOUT_MS = 2000;

jest.setTimeout(120_000);

let cluster: A4cCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function send(instance: A4cInstance, path: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(`${instance.url}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
}

function create(instance: A4cInstance, name: string) {
  return send(instance, '/rest/v1/applications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
}

describe('hold and forward between two real instances', () => {
  it('forwards to the leader, holds across a step-down, and answers 503 + Retry-After when no leader comes', async () => {
    const c = (cluster = await A4cCluster.start({ healthCheckPeriodInSecond: 1, lockAcquisitionDelayInSecond: 1, consulSessionTTLInSecond: 10 }));
    const args = [`--ha.adminToken=${TOKEN}`, `--ha.forwardTimeoutInMillis=${FORWARD_TIMEOUT_MS}`];
    const leader = await c.addInstance({ args });
    await waitUntil(() => leader.isActiveLeader(), { timeoutMs: 30_000, what: 'the first instance to lead' });
    const backup = await c.addInstance({ args: [...args, '--ha.health_disk_space_threshold=9007199254740991'] });
    // unhealthy, the backup never races for the lock, so its elector never reads the key: the request
    // it holds makes it look the leader up itself

    // 1. a request to the backup is served by the leader's full graph, through the backup
    const created = await create(backup, 'forwarded-app');
    expect(created.status).toBe(201);
    expect(created.headers.get(SERVED_BY)).toBe(leader.instanceId);
    expect(created.headers.get(FORWARDED_BY)).toBe(backup.instanceId);
    const read = await send(leader, '/rest/v1/applications/forwarded-app');
    expect(read.status).toBe(200);
    expect(read.headers.get(SERVED_BY)).toBe(leader.instanceId);
    expect(read.headers.get(FORWARDED_BY)).toBeNull();

    // 2. a step-down: the leader stays out for its hold-off (1 s), then takes the lock back, as nobody
    // else can. Requests sent to either instance meanwhile are held, then served: none fails.
    const stepDown = await fetch(`${leader.url}/rest/admin/ha/step-down`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(stepDown.status).toBe(202);
    const during = await Promise.all([create(leader, 'during-1'), create(backup, 'during-2'), send(leader, '/rest/v1/applications'), send(backup, '/rest/v1/applications')]);
    expect(during.map((a) => a.status)).toEqual([201, 201, 200, 200]);
    for (const answer of during) expect(answer.headers.get(SERVED_BY)).toBe(leader.instanceId);
    // held, not served before the step-down: they waited for the leader to act again
    expect(Math.min(...during.map((a) => a.ms))).toBeGreaterThan(500);
    const names = ((await (await fetch(`${leader.url}/rest/v1/applications`)).json()) as Array<{ name: string }>).map((a) => a.name);
    expect(names.filter((n) => n.startsWith('during-')).sort()).toEqual(['during-1', 'during-2']);

    // 3. no leader within ha.forwardTimeoutInMillis: the backup answers its recognisable 503
    leader.signal('SIGKILL');
    await waitUntil(() => leader.process.hasExited, { timeoutMs: 10_000, what: 'the leader to die' });
    const orphan = await create(backup, 'orphan');
    expect(orphan.status).toBe(503);
    expect(orphan.headers.get('retry-after')).toBe('1'); // ha.healthCheckPeriodInSecond
    expect(orphan.headers.get(NOT_ACTING)).toBe('1');
    expect(orphan.headers.get(SERVED_BY)).toBe(backup.instanceId);
    expect(orphan.ms).toBeGreaterThanOrEqual(FORWARD_TIMEOUT_MS - 10);
    expect(orphan.ms).toBeLessThan(FORWARD_TIMEOUT_MS + 3000);
    expect(JSON.parse(orphan.body)).toMatchObject({ statusCode: 503, reason: expect.stringContaining(`no acting leader within ${FORWARD_TIMEOUT_MS} ms`) });
  });
});
