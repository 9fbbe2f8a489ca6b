// Catalog reads across every agent's node: GET /v1/health/service/<name> and /v1/catalog/service/<name>
// (what the operator CLI and consul-template read), with ?passing, X-Consul-Index and blocking.
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../test/support/wait-until.js';
import { useDoubles } from './double.js';
import { type CheckTarget, startCheckTarget } from './target.js';

const start = useDoubles();
const targets: CheckTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.close();
});

interface HealthEntry {
  Node: { Node: string; Address: string };
  Service: { ID: string; Service: string; Address: string; Port: number; Meta: Record<string, string>; Tags: string[] };
  Checks: Array<{ CheckID: string; Status: string; ServiceID: string; Output: string }>;
}

const register = (id: string, port: number, status: string) => ({
  ID: id, Name: 'a4c', Address: '127.0.0.1', Port: port, Tags: ['ha'], Meta: { url: `http://127.0.0.1:${port}` },
  Check: { CheckID: `service:${id}`, TTL: '1h', Status: status },
});

describe('catalog reads across agents (docs/consul-behaviour.md §12, fact 21)', () => {
  it('health/service lists every node\'s instance with serfHealth and its own checks; ?passing keeps the all-passing ones', async () => {
    const d = await start({ agents: ['host-a', 'host-b'] });
    expect((await d.callAgent('host-a', 'PUT', '/v1/agent/service/register', register('a4c-a', 8081, 'passing'))).status).toBe(200);
    expect((await d.callAgent('host-b', 'PUT', '/v1/agent/service/register', register('a4c-b', 8082, 'critical'))).status).toBe(200);
    const all = await d.call('GET', '/v1/health/service/a4c');
    expect(all.status).toBe(200);
    expect(Number(all.headers.get('x-consul-index'))).toBe((await d.control.state()).catalogIndex);
    const entries = all.json<HealthEntry[]>();
    expect(entries.map((e) => [e.Node.Node, e.Service.ID, e.Service.Port, e.Service.Meta.url])).toEqual([
      ['host-a', 'a4c-a', 8081, 'http://127.0.0.1:8081'],
      ['host-b', 'a4c-b', 8082, 'http://127.0.0.1:8082'],
    ]);
    expect(entries[1].Checks.map((c) => [c.CheckID, c.Status])).toEqual([['serfHealth', 'passing'], ['service:a4c-b', 'critical']]);
    const passing = (await d.callAgent('host-b', 'GET', '/v1/health/service/a4c?passing')).json<HealthEntry[]>();
    expect(passing.map((e) => e.Service.ID)).toEqual(['a4c-a']);
    const catalog = (await d.call('GET', '/v1/catalog/service/a4c')).json<Array<{ Node: string; ServiceID: string; ServicePort: number }>>();
    expect(catalog.map((c) => [c.Node, c.ServiceID, c.ServicePort])).toEqual([['host-a', 'a4c-a', 8081], ['host-b', 'a4c-b', 8082]]);
    expect((await d.call('GET', '/v1/health/service/nothing')).json()).toEqual([]);
  });

  it('a blocking health read wakes when a check of that service changes status in the catalog', async () => {
    const d = await start({ agents: ['host-a', 'host-b'] });
    const target = await startCheckTarget();
    targets.push(target);
    await d.callAgent('host-b', 'PUT', '/v1/agent/service/register', {
      ID: 'web', Name: 'web', Port: 1, Check: { HTTP: target.url, Interval: '1s', Status: 'passing' },
    });
    const index = (await d.call('GET', '/v1/health/service/web')).headers.get('x-consul-index');
    const pending = d.call('GET', `/v1/health/service/web?index=${index}&wait=30s`);
    await waitUntil(async () => (await d.control.state()).blockedQueries === 1, { what: 'the read to block' });
    target.status = 500;
    const woke = await pending;
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(Number(index));
    expect(woke.json<HealthEntry[]>()[0].Checks[1]).toMatchObject({ CheckID: 'service:web', Status: 'critical' });
  });
});
