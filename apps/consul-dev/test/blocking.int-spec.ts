// docs/consul-behaviour.md §1.5 and §5 (checklist item 6).
import { describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../test/support/wait-until.js';
import { timed, useDoubles } from './double.js';

const start = useDoubles();

describe('blocking queries (docs/consul-behaviour.md §5)', () => {
  it('§5.1 fact 11: ?index=N blocks until the key changes, then returns a higher X-Consul-Index', async () => {
    const d = await start();
    await d.consul.kv.set('k', 'v1');
    const first = await d.call('GET', '/v1/kv/k');
    const index = Number(first.headers.get('x-consul-index'));
    const blocked = d.call('GET', `/v1/kv/k?index=${index}&wait=30s`);
    await waitUntil(async () => (await d.control.state()).blockedQueries === 1, { what: 'the query to block' });
    await d.consul.kv.set('other', 'x'); // another key: the server loops, the client sees nothing
    await d.consul.kv.set('k', 'v2');
    const r = await blocked;
    expect(Number(r.headers.get('x-consul-index'))).toBeGreaterThan(index);
    expect(r.json<Array<{ Value: string }>>()[0].Value).toBe(Buffer.from('v2').toString('base64'));
  });

  it('§5.1 fact 11: a timeout is a 200 with the same index, after wait plus at most wait/16', async () => {
    const d = await start();
    await d.consul.kv.set('k', 'v');
    const index = (await d.call('GET', '/v1/kv/k')).headers.get('x-consul-index');
    const { value: r, ms } = await timed(() => d.call('GET', `/v1/kv/k?index=${index}&wait=300ms`));
    expect([r.status, r.headers.get('x-consul-index')]).toEqual([200, index]);
    expect(ms).toBeGreaterThanOrEqual(295);
    expect(ms).toBeLessThan(300 + 300 / 16 + 300); // slack for a loaded machine
  });

  it('§5.1 fact 11: without wait the default is 5 min; wait is capped at 10 min; jitter adds up to wait/16', async () => {
    const d = await start({ timeScale: 1000, random: () => 0.999 }); // 5 min → 300 ms, 10 min → 600 ms
    await d.consul.kv.set('k', 'v');
    const index = (await d.call('GET', '/v1/kv/k')).headers.get('x-consul-index');
    const def = await timed(() => d.call('GET', `/v1/kv/k?index=${index}`));
    expect(def.ms).toBeGreaterThanOrEqual(300 * (1 + 0.99 / 16) - 5);
    expect(def.ms).toBeLessThan(300 * (1 + 1 / 16) + 300); // slack for a loaded machine
    const capped = await timed(() => d.call('GET', `/v1/kv/k?index=${index}&wait=1h`));
    expect(capped.ms).toBeGreaterThanOrEqual(600 * (1 + 0.99 / 16) - 5);
    expect(capped.ms).toBeLessThan(600 * (1 + 1 / 16) + 300); // slack for a loaded machine
  });

  it('§5.1 fact 11: index=0 never blocks', async () => {
    const d = await start();
    const { ms } = await timed(() => d.call('GET', '/v1/kv/absent?index=0&wait=10s'));
    expect(ms).toBeLessThan(1000);
  });

  it('§1.5 fact 12: X-Consul-Index is never 0 (a fresh KV table answers 1) and the global index starts above 1', async () => {
    const d = await start();
    expect((await d.control.state()).index).toBeGreaterThan(1);
    expect((await d.call('GET', '/v1/kv/nothing')).headers.get('x-consul-index')).toBe('1');
    expect((await d.call('GET', '/v1/session/list')).headers.get('x-consul-index')).toBe('1');
  });

  it('§1.5: reads carry KnownLeader, LastContact, Effective-Consistency (leader / consistent / stale); writes carry no X-Consul-Index', async () => {
    const d = await start();
    for (const [query, mode] of [['', 'leader'], ['?consistent', 'consistent'], ['?stale', 'stale']]) {
      const r = await d.call('GET', `/v1/session/list${query}`);
      expect([r.headers.get('x-consul-knownleader'), r.headers.get('x-consul-lastcontact'), r.headers.get('x-consul-effective-consistency')]).toEqual(['true', '0', mode]);
    }
    const w = await d.call('PUT', '/v1/kv/k', 'v');
    expect(w.headers.get('x-consul-index')).toBeNull();
  });

  it('§5.1: a bad wait is 400 Invalid wait time, a bad index 400 Invalid index, ?stale with ?consistent 400', async () => {
    const d = await start();
    expect(await d.call('GET', '/v1/kv/k?wait=10').then((r) => [r.status, r.text])).toEqual([400, 'Invalid wait time']);
    expect(await d.call('GET', '/v1/kv/k?index=abc').then((r) => [r.status, r.text])).toEqual([400, 'Invalid index']);
    expect(await d.call('GET', '/v1/session/list?index=-1').then((r) => [r.status, r.text])).toEqual([400, 'Invalid index']);
    expect((await d.call('GET', '/v1/kv/k?stale&consistent')).text).toBe('Cannot specify ?stale with ?consistent, conflicting semantics.');
  });

  it('§5.1: a missing key keeps blocking while it stays absent (other writes do not wake it) and wakes when it appears', async () => {
    const d = await start();
    await d.consul.kv.set('x', '1');
    const index = Number((await d.call('GET', '/v1/kv/watched')).headers.get('x-consul-index'));
    const blocked = d.call('GET', `/v1/kv/watched?index=${index}&wait=30s`);
    await waitUntil(async () => (await d.control.state()).blockedQueries === 1, { what: 'the query to block' });
    await d.consul.kv.set('x', '2');
    await d.consul.kv.set('x', '3');
    expect((await d.control.state()).blockedQueries).toBe(1);
    await d.consul.kv.set('watched', 'now');
    const r = await blocked;
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('x-consul-index'))).toBeGreaterThan(index);
  });

  it('§5.1: a blocked GET on a held key returns (404) when the key is deleted by a delete-behaviour invalidation', async () => {
    const d = await start();
    const { ID } = await d.consul.session.create({ behavior: 'delete' });
    await d.consul.kv.set({ key: 'l', value: 'v', acquire: ID });
    const index = (await d.call('GET', '/v1/kv/l')).headers.get('x-consul-index');
    const blocked = d.call('GET', `/v1/kv/l?index=${index}&wait=30s`);
    await waitUntil(async () => (await d.control.state()).blockedQueries === 1, { what: 'the query to block' });
    await d.control.invalidateSession(ID);
    const r = await blocked;
    expect(r.status).toBe(404);
    expect(Number(r.headers.get('x-consul-index'))).toBeGreaterThan(Number(index));
  });

  it('§2.6: session info and list block too and wake on create / destroy', async () => {
    const d = await start();
    const { ID } = await d.consul.session.create({});
    const list = await d.call('GET', '/v1/session/list');
    const index = list.headers.get('x-consul-index');
    const info = d.call('GET', `/v1/session/info/${ID}?index=${index}&wait=30s`);
    const all = d.call('GET', `/v1/session/list?index=${index}&wait=30s`);
    await waitUntil(async () => (await d.control.state()).blockedQueries === 2, { what: 'the queries to block' });
    await d.consul.session.destroy(ID);
    expect((await info).text).toBe('[]');
    expect((await all).text).toBe('[]');
  });

  it('§5.1 / checklist 9: a snapshot restore (control reset) returns blocked queries at once with a lower index', async () => {
    const d = await start();
    for (let i = 0; i < 5; i++) await d.consul.kv.set('k', `v${i}`);
    const index = Number((await d.call('GET', '/v1/kv/k')).headers.get('x-consul-index'));
    const blocked = d.call('GET', `/v1/kv/k?index=${index}&wait=60s`);
    await waitUntil(async () => (await d.control.state()).blockedQueries === 1, { what: 'the query to block' });
    await d.control.reset(5);
    const r = await blocked;
    expect(r.status).toBe(404);
    expect(Number(r.headers.get('x-consul-index'))).toBeLessThan(index);
  });

  it('§5.1: an index above the server\'s blocks until the timeout and returns the lower index', async () => {
    const d = await start();
    await d.consul.kv.set('k', 'v');
    const r = await d.call('GET', '/v1/kv/k?index=999999&wait=200ms');
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('x-consul-index'))).toBeLessThan(999999);
  });

  it('§5.2: a client that disconnects releases its waiter', async () => {
    const d = await start();
    await d.consul.kv.set('k', 'v');
    const index = (await d.call('GET', '/v1/kv/k')).headers.get('x-consul-index');
    const controller = new AbortController();
    const pending = d.api(`/v1/kv/k?index=${index}&wait=5m`, { signal: controller.signal }).catch((e: { name: string }) => e);
    await waitUntil(async () => (await d.control.state()).blockedQueries === 1, { what: 'the query to block' });
    controller.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    await waitUntil(async () => (await d.control.state()).blockedQueries === 0, { what: 'the waiter to be released' });
  });
});
