// docs/consul-behaviour.md §1.1 and §6 (checklist item 7): agent services and checks, with HTTP checks really run.
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../test/support/wait-until.js';
import { type TestDouble, useDoubles } from './double.js';
import { type CheckTarget, startCheckTarget } from './target.js';

const start = useDoubles();
const targets: CheckTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.close();
});
async function target(): Promise<CheckTarget> {
  const t = await startCheckTarget();
  targets.push(t);
  return t;
}

type Check = { CheckID: string; Name: string; Status: string; Output: string; ServiceID: string; Type: string };
async function checks(d: TestDouble): Promise<Record<string, Check>> {
  return (await d.call('GET', '/v1/agent/checks')).json<Record<string, Check>>();
}
async function statusOf(d: TestDouble, id: string, status: string): Promise<Check> {
  return waitUntil(async () => {
    const c = (await checks(d))[id];
    return c?.Status === status ? c : undefined;
  }, { what: `${id} ${status}`, intervalMs: 10 });
}

describe('agent services and checks (docs/consul-behaviour.md §6)', () => {
  it("§6.1: generated check IDs are service:<id> for one check and service:<id>:<n> for several, named Service '<name>' check", async () => {
    const d = await start();
    // The client's typings demand fields Consul does not; the body it sends is what matters here.
    await d.consul.agent.service.register({ name: 'web', id: 'web-1', check: { ttl: '30s' } } as never);
    await d.call('PUT', '/v1/agent/service/register', { Name: 'api', Checks: [{ TTL: '30s' }, { TTL: '30s' }, { CheckID: 'mine', TTL: '30s' }] });
    const all = await checks(d);
    expect(Object.keys(all).sort()).toEqual(['mine', 'service:api:1', 'service:api:2', 'service:web-1']);
    expect(all['service:web-1']).toMatchObject({ Name: "Service 'web' check", ServiceID: 'web-1', Type: 'ttl' });
    expect(all['mine'].Name).toBe("Service 'api' check");
  });

  it('§1.4 / §6.1: check definitions are decoded strictly (unknown field 400), snake_case aliases accepted', async () => {
    const d = await start();
    const r = await d.call('PUT', '/v1/agent/service/register', { Name: 'web', Check: { TTL: '10s', Bogus: 1 } });
    expect([r.status, r.text]).toEqual([400, 'Request decode failed: json: unknown field "Bogus"']);
    const ok = await d.call('PUT', '/v1/agent/service/register', { Name: 'web', Check: { ttl: '10s', deregister_critical_service_after: '1m', tls_skip_verify: true } });
    expect(ok.status).toBe(200);
    expect((await d.call('PUT', '/v1/agent/check/register', { Name: 'n', TTL: '1s', Unknown: true })).status).toBe(400);
  });

  it('§6.1 / §6.3: registration errors: missing names, bad status, HTTP without Interval, Interval with TTL', async () => {
    const d = await start();
    const cases: Array<[string, object, number, string]> = [
      ['/v1/agent/service/register', { Port: 1 }, 400, 'Missing service name'],
      ['/v1/agent/service/register', { Name: 's', Check: { TTL: '1s', Status: 'ok' } }, 400, "Status for checks must 'passing', 'warning', 'critical'"],
      ['/v1/agent/service/register', { Name: 's', Check: { HTTP: 'http://127.0.0.1:1/' } }, 400, 'Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks'],
      ['/v1/agent/check/register', { TTL: '1s' }, 400, 'Missing check name'],
      ['/v1/agent/check/register', { Name: 'c', TTL: '1s', Status: 'meh' }, 400, 'Bad check status'],
      ['/v1/agent/check/register', { Name: 'c', TTL: '1s', Interval: '1s', HTTP: 'http://x/' }, 400, 'Invalid check: Interval and TTL cannot both be specified'],
      ['/v1/agent/check/register', { Name: 'c', TTL: '1s', ServiceID: 'ghost' }, 404, 'ServiceID "ghost" does not exist'],
    ];
    for (const [path, body, status, text] of cases) {
      const r = await d.call('PUT', path, body);
      expect([path, r.status, r.text]).toEqual([path, status, text]);
    }
  });

  it('§6.1 fact 14: a new check starts critical unless Status is given', async () => {
    const d = await start();
    await d.call('PUT', '/v1/agent/check/register', { Name: 'a', TTL: '1h' });
    await d.call('PUT', '/v1/agent/check/register', { Name: 'b', TTL: '1h', Status: 'passing' });
    const all = await checks(d);
    expect([all.a.Status, all.b.Status]).toEqual(['critical', 'passing']);
  });

  it('§6.2 fact 15: an HTTP check really runs: 2xx passing, 429 warning, 500 critical, with User-Agent Consul Health Check and Output "HTTP GET <url>: <status> Output: <body>"', async () => {
    const d = await start({ timeScale: 20 }); // Interval 1s → 50 ms
    const t = await target();
    await d.call('PUT', '/v1/agent/service/register', { Name: 'web', Check: { HTTP: t.url, Interval: '1s' } });
    const passing = await statusOf(d, 'service:web', 'passing');
    expect(passing.Output).toBe(`HTTP GET ${t.url}: 200 OK Output: ok`);
    expect(t.requests[0]).toMatchObject({ method: 'GET', headers: expect.objectContaining({ 'user-agent': 'Consul Health Check' }) });
    t.status = 429;
    t.body = 'slow down';
    expect((await statusOf(d, 'service:web', 'warning')).Output).toBe(`HTTP GET ${t.url}: 429 Too Many Requests Output: slow down`);
    t.status = 500;
    await statusOf(d, 'service:web', 'critical');
    t.status = 204;
    await statusOf(d, 'service:web', 'passing');
  });

  it('§6.2 fact 15: a transport error is critical with the error text; a hanging target hits the 10 s default timeout', async () => {
    const d = await start({ timeScale: 100 }); // 10 s timeout → 100 ms
    const t = await target();
    await d.call('PUT', '/v1/agent/service/register', { Name: 'refused', Check: { HTTP: 'http://127.0.0.1:1/health', Interval: '1s', Status: 'passing' } });
    expect((await statusOf(d, 'service:refused', 'critical')).Output).toContain('connection refused');
    t.hang = true;
    await d.call('PUT', '/v1/agent/service/register', { Name: 'hung', Check: { HTTP: t.url, Interval: '30s', Status: 'passing' } });
    await waitUntil(() => t.requests.length > 0, { what: 'first probe' });
    const sent = t.requests[0].at;
    const c = await statusOf(d, 'service:hung', 'critical');
    expect(performance.now() - sent).toBeGreaterThanOrEqual(95);
    expect(c.Output).toContain('Client.Timeout exceeded');
  });

  it('§6.2 fact 14: the first probe comes after a random delay in [0, Interval), then every Interval', async () => {
    const d = await start({ timeScale: 10, random: () => 0.5 }); // Interval 4s → 400 ms; first probe at 200 ms
    const t = await target();
    const registered = performance.now();
    await d.call('PUT', '/v1/agent/service/register', { Name: 'web', Check: { HTTP: t.url, Interval: '4s' } });
    await waitUntil(() => t.requests.length >= 2, { what: 'two probes' });
    expect(t.requests[0].at - registered).toBeGreaterThanOrEqual(190);
    expect(t.requests[0].at - registered).toBeLessThan(400);
    expect(t.requests[1].at - t.requests[0].at).toBeGreaterThanOrEqual(390);
  });

  it('§6.2: SuccessBeforePassing and FailuresBeforeCritical need consecutive results (the first result applies at once)', async () => {
    const d = await start({ timeScale: 20 });
    const t = await target();
    await d.call('PUT', '/v1/agent/service/register', { Name: 'web', Check: { HTTP: t.url, Interval: '1s', SuccessBeforePassing: 3, FailuresBeforeCritical: 3 } });
    await statusOf(d, 'service:web', 'passing');
    const before = t.requests.length;
    t.status = 503;
    await statusOf(d, 'service:web', 'critical');
    expect(t.requests.length - before).toBeGreaterThanOrEqual(3);
    const failing = t.requests.length;
    t.status = 200;
    await statusOf(d, 'service:web', 'passing');
    expect(t.requests.length - failing).toBeGreaterThanOrEqual(3);
  });

  it('§6.1 fact 17: re-registering a service keeps the status and output of checks with the same ID', async () => {
    const d = await start();
    await d.call('PUT', '/v1/agent/service/register', { Name: 'web', Check: { TTL: '1h' } });
    await d.call('PUT', '/v1/agent/check/pass/service:web?note=fine');
    await d.call('PUT', '/v1/agent/service/register', { Name: 'web', Tags: ['v2'], Check: { TTL: '1h' } });
    expect((await checks(d))['service:web']).toMatchObject({ Status: 'passing', Output: 'fine' });
  });

  it('§6.3: deregistering unknown checks and services is 404 with Consul\'s texts', async () => {
    const d = await start();
    const c = await d.call('PUT', '/v1/agent/check/deregister/nope');
    expect([c.status, c.text]).toEqual([404, 'Unknown check ID "nope". Ensure that the check ID is passed, not the check name.']);
    const s = await d.call('PUT', '/v1/agent/service/deregister/nope');
    expect([s.status, s.text]).toEqual([404, 'Unknown service ID "nope". Ensure that the service ID is passed, not the service name.']);
  });

  it('§6.3: TTL checks: pass/warn/fail with ?note, update with {Status, Output}, 500 on a non-TTL check, critical "TTL expired" when missed', async () => {
    const d = await start({ timeScale: 100 });
    await d.call('PUT', '/v1/agent/check/register', { Name: 'ttl', TTL: '10s' });
    await d.call('PUT', '/v1/agent/check/warn/ttl?note=hmm');
    expect((await checks(d)).ttl).toMatchObject({ Status: 'warning', Output: 'hmm' });
    await d.call('PUT', '/v1/agent/check/update/ttl', { Status: 'passing', Output: 'all good' });
    expect((await checks(d)).ttl).toMatchObject({ Status: 'passing', Output: 'all good' });
    expect((await statusOf(d, 'ttl', 'critical')).Output).toBe('TTL expired');
    const t = await target();
    await d.call('PUT', '/v1/agent/check/register', { Name: 'http', HTTP: t.url, Interval: '1h' });
    const r = await d.call('PUT', '/v1/agent/check/pass/http');
    expect([r.status, r.text]).toEqual([500, 'CheckID "http" does not have associated TTL']);
    expect((await d.call('PUT', '/v1/agent/check/update/ttl', { Status: 'bad' })).status).toBe(400);
  });

  it('§6.3: /v1/agent/services, /v1/agent/self, /v1/agent/health/service/id (200/429/503/404) and /v1/status/leader', async () => {
    const d = await start();
    await d.consul.agent.service.register({ name: 'web', id: 'web-1', port: 8080, check: { ttl: '1h' } } as never);
    expect(await d.consul.agent.service.list()).toMatchObject({ 'web-1': { ID: 'web-1', Service: 'web', Port: 8080 } });
    expect((await d.call('GET', '/v1/agent/self')).json()).toMatchObject({ Config: { NodeName: 'consul-dev', Datacenter: 'dc1' } });
    const health = (q = '') => d.call('GET', `/v1/agent/health/service/id/web-1${q}`);
    expect((await health()).status).toBe(503);
    await d.call('PUT', '/v1/agent/check/warn/service:web-1');
    expect(await health('?format=text').then((r) => [r.status, r.text])).toEqual([429, 'warning']);
    await d.call('PUT', '/v1/agent/check/pass/service:web-1');
    expect((await health()).json()).toMatchObject({ AggregatedStatus: 'passing', Service: { ID: 'web-1' } });
    expect((await d.call('GET', '/v1/agent/health/service/id/ghost?format=text')).text).toBe('ServiceId ghost not found');
    expect((await d.call('GET', '/v1/status/leader')).json()).toBe('127.0.0.1:8300');
    expect(await d.consul.status.leader()).toBe('127.0.0.1:8300');
  });

  it('§1.1: a wrong method is 405 with Allow (OPTIONS first); OPTIONS answers Allow without body; an unknown /v1 path is 404', async () => {
    const d = await start();
    const r = await d.call('GET', '/v1/session/renew/x');
    expect([r.status, r.text, r.headers.get('allow')]).toEqual([405, 'method GET not allowed', 'OPTIONS,PUT']);
    const o = await d.call('OPTIONS', '/v1/kv/x');
    expect([o.status, o.text, o.headers.get('allow')]).toEqual([200, '', 'OPTIONS,GET,PUT,DELETE']);
    const n = await d.call('GET', '/v1/nope');
    expect([n.status, n.text, n.headers.get('content-type')]).toEqual([404, 'Invalid URL path: not a recognized HTTP API endpoint', 'text/plain; charset=utf-8']);
  });

  it('§2.7 fact 5 / fact 16: an HTTP check that starts failing invalidates the linked session and releases the lock', async () => {
    const d = await start({ timeScale: 20 });
    const t = await target();
    await d.call('PUT', '/v1/agent/service/register', { Name: 'a4c', Check: { HTTP: t.url, Interval: '1s' } });
    await statusOf(d, 'service:a4c', 'passing');
    const s = await d.call('PUT', '/v1/session/create', { NodeChecks: [], ServiceChecks: [{ ID: 'service:a4c' }], LockDelay: '0s' });
    const id = s.json<{ ID: string }>().ID;
    await d.call('PUT', `/v1/kv/service/a4c/leader?acquire=${id}`, 'me');
    t.status = 503;
    await waitUntil(async () => (await d.call('GET', `/v1/session/info/${id}`)).text === '[]', { what: 'invalidation' });
    expect((await d.call('GET', '/v1/kv/service/a4c/leader')).text).not.toContain('"Session"');
  });
});
