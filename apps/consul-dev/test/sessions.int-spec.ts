// docs/consul-behaviour.md §2 and §3 (checklist items 1–4), over real HTTP with the `consul` client where it can
// express the call and raw fetch where it hides the detail.
import { describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../test/support/wait-until.js';
import { type TestDouble, useDoubles } from './double.js';

const start = useDoubles();

/** A TTL check registered with a given status, so sessions can link to it. */
async function ttlCheck(d: TestDouble, id: string, status = 'passing'): Promise<void> {
  const r = await d.call('PUT', '/v1/agent/check/register', { Name: id, TTL: '1h', Status: status });
  expect(r.status).toBe(200);
}

async function createRaw(d: TestDouble, body?: object | string) {
  return d.call('PUT', '/v1/session/create', body);
}

async function sessionInfo(d: TestDouble, id: string): Promise<Record<string, unknown> | undefined> {
  return (await d.call('GET', `/v1/session/info/${id}`)).json<Array<Record<string, unknown>>>()[0];
}

describe('sessions (docs/consul-behaviour.md §2)', () => {
  it('§2.2 fact 3: without check fields a session links serfHealth, reported in NodeChecks with Checks omitted', async () => {
    const d = await start();
    const { ID } = await d.consul.session.create({ name: 'n' });
    const info = await sessionInfo(d, ID);
    expect(info).toMatchObject({ ID, Name: 'n', Node: 'consul-dev', Behavior: 'release', TTL: '', NodeChecks: ['serfHealth'], ServiceChecks: null, LockDelay: 15_000_000_000 });
    expect(info).not.toHaveProperty('Checks');
    expect(info!.CreateIndex).toBe(info!.ModifyIndex);
  });

  it.each([
    ['"Checks": [] links nothing', { Checks: [] }, { NodeChecks: [], ServiceChecks: null }, []],
    ['"NodeChecks": [] links nothing', { NodeChecks: [] }, { NodeChecks: [], ServiceChecks: null }, []],
    ['"Checks": ["a","b"] keeps serfHealth too (1.7+)', { Checks: ['a', 'b'] }, { Checks: ['a', 'b'], NodeChecks: ['serfHealth'] }, ['a', 'b', 'serfHealth']],
    ['"Checks": ["a"] with "NodeChecks": [] links nothing', { Checks: ['a'], NodeChecks: [] }, { NodeChecks: [] }, []],
    ['"NodeChecks": ["x"] links x only', { NodeChecks: ['x'] }, { NodeChecks: ['x'] }, ['x']],
    ['ServiceChecks links the service check and serfHealth', { ServiceChecks: [{ ID: 'a' }] }, { NodeChecks: ['serfHealth'], ServiceChecks: [{ ID: 'a', Namespace: '' }] }, ['a', 'serfHealth']],
    ['"NodeChecks": [] with ServiceChecks links the service checks only', { NodeChecks: [], ServiceChecks: [{ ID: 'a' }] }, { NodeChecks: [], ServiceChecks: [{ ID: 'a', Namespace: '' }] }, ['a']],
  ])('§2.2 check-linking table: %s', async (_name, body, reported, linked) => {
    const d = await start();
    for (const id of ['a', 'b', 'x']) await ttlCheck(d, id);
    const r = await createRaw(d, body);
    expect(r.status).toBe(200);
    const id = r.json<{ ID: string }>().ID;
    const info = await sessionInfo(d, id);
    expect(info).toMatchObject(reported);
    if (!('Checks' in reported)) expect(info).not.toHaveProperty('Checks');
    // Behaviour, not just the report: a linked check turning critical kills the session.
    for (const check of ['a', 'b', 'x', 'serfHealth']) {
      const other = (await createRaw(d, body)).json<{ ID: string }>().ID;
      await d.control.forceCheck(check, 'critical');
      expect((await sessionInfo(d, other)) === undefined).toBe((linked as string[]).includes(check));
      await d.control.forceCheck(check, 'passing');
    }
    expect((await sessionInfo(d, id)) === undefined).toBe(linked.length > 0);
  });

  it("§2.2 fact 4: create refuses a critical linked check with 500 Check '<id>' is in critical state (warning is accepted)", async () => {
    const d = await start();
    await ttlCheck(d, 'web', 'critical');
    await ttlCheck(d, 'warm', 'warning');
    const r = await createRaw(d, { NodeChecks: [], ServiceChecks: [{ ID: 'web' }] });
    expect([r.status, r.text]).toEqual([500, "Check 'web' is in critical state"]);
    expect((await createRaw(d, { Checks: ['warm'] })).status).toBe(200);
    await expect(d.consul.session.create({ checks: ['web'] })).rejects.toThrow("Check 'web' is in critical state");
  });

  it("§2.2 fact 4: a missing check is 500 Missing check '<id>' registration; an unknown node 500 Missing node registration", async () => {
    const d = await start();
    const missing = await createRaw(d, { Checks: ['nope'] });
    expect([missing.status, missing.text]).toEqual([500, "Missing check 'nope' registration"]);
    const node = await createRaw(d, { Node: 'other-node' });
    expect([node.status, node.text]).toEqual([500, 'Missing node registration']);
    const empty = await createRaw(d, { Node: '' });
    expect([empty.status, empty.text]).toEqual([500, 'Must provide Node']);
  });

  it("§2.2: Behavior must be release or delete (500 Invalid Behavior setting '<v>')", async () => {
    const d = await start();
    const r = await createRaw(d, { Behavior: 'explode' });
    expect([r.status, r.text]).toEqual([500, "Invalid Behavior setting 'explode'"]);
    expect((await createRaw(d, { Behavior: 'delete' })).status).toBe(200);
  });

  it.each([
    ['5s', "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]"],
    ['24h0m1s', "Invalid Session TTL '86401000000000', must be between [10s=24h0m0s]"],
    ['abc', 'Session TTL \'abc\' invalid: time: invalid duration "abc"'],
    ['30', 'Session TTL \'30\' invalid: time: missing unit in duration "30"'],
  ])('§2.2 fact 1: TTL %s is refused with 500 and the exact text (range printed in nanoseconds)', async (ttl, text) => {
    const d = await start();
    const r = await createRaw(d, { TTL: ttl });
    expect([r.status, r.text]).toEqual([500, text]);
  });

  it('§2.2 fact 1: TTL bounds 10s and 24h are accepted; "", "0", "0s" mean no TTL; the TTL string is kept as given', async () => {
    const d = await start();
    for (const ttl of ['10s', '24h', '1m30s', '', '0', '0s']) {
      const r = await createRaw(d, { TTL: ttl });
      expect(r.status).toBe(200);
      expect((await sessionInfo(d, r.json<{ ID: string }>().ID))?.TTL).toBe(ttl);
    }
  });

  it('§2.2 fact 6 / checklist 2: LockDelay numbers below 1000 are seconds, strings are Go durations, default 15s, "0s" and 0 disable', async () => {
    const d = await start();
    const cases: Array<[unknown, number]> = [[5, 5e9], ['0s', 0], [0, 0], ['500ms', 5e8], ['2m', 120e9], [2000, 2000], ['5ns', 5e9]];
    for (const [value, ns] of cases) {
      const id = (await createRaw(d, { LockDelay: value })).json<{ ID: string }>().ID;
      expect([value, (await sessionInfo(d, id))?.LockDelay]).toEqual([value, ns]);
    }
    const viaClient = await d.consul.session.create({ lockdelay: '0s' });
    expect((await sessionInfo(d, viaClient.ID))?.LockDelay).toBe(0);
    const bad = await createRaw(d, { LockDelay: 'soon' });
    expect([bad.status, bad.text]).toEqual([400, 'Request decode failed: time: invalid duration "soon"']);
  });

  it('§1.4: session body field names match case-insensitively and unknown fields are ignored; bad JSON is 400', async () => {
    const d = await start();
    const r = await createRaw(d, { name: 'lower', ttl: '15s', lockdelay: '1s', behavior: 'delete', nodechecks: [], whatever: 1 });
    expect(r.status).toBe(200);
    expect(await sessionInfo(d, r.json<{ ID: string }>().ID)).toMatchObject({ Name: 'lower', TTL: '15s', LockDelay: 1e9, Behavior: 'delete', NodeChecks: [] });
    const bad = await createRaw(d, '{"Name":');
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^Request decode failed: /);
  });

  it("§2.4 fact 2: renew answers 200 with a one-element array (TTL unchanged), unknown id 404 Session id '<id>' not found", async () => {
    const d = await start();
    const { ID } = await d.consul.session.create({ ttl: '15s' });
    const renewed = await d.call('PUT', `/v1/session/renew/${ID}`);
    expect(renewed.status).toBe(200);
    expect(renewed.json()).toEqual([expect.objectContaining({ ID, TTL: '15s' })]);
    expect(renewed.headers.get('x-consul-index')).toBeNull();
    const unknown = await d.call('PUT', '/v1/session/renew/2f1e2a3b-0000-0000-0000-000000000000');
    expect([unknown.status, unknown.text]).toEqual([404, "Session id '2f1e2a3b-0000-0000-0000-000000000000' not found"]);
    expect((await d.call('PUT', '/v1/session/renew/')).status).toBe(400);
  });

  it('§2.5: destroy always answers true, even for an unknown session', async () => {
    const d = await start();
    const { ID } = await d.consul.session.create({});
    expect((await d.call('PUT', `/v1/session/destroy/${ID}`)).text).toBe('true');
    expect((await d.call('PUT', `/v1/session/destroy/${ID}`)).text).toBe('true');
    expect((await d.call('PUT', '/v1/session/destroy/not-a-uuid')).text).toBe('true');
  });

  it('§2.6: info is [] when absent (never 404); list and node return every session of the node', async () => {
    const d = await start();
    const absent = await d.call('GET', '/v1/session/info/2f1e2a3b-0000-0000-0000-000000000000');
    expect([absent.status, absent.text]).toEqual([200, '[]']);
    const a = await d.consul.session.create({ name: 'a' });
    const b = await d.consul.session.create({ name: 'b' });
    const list = (await d.consul.session.list()) as Array<{ ID: string }>;
    expect(list.map((s) => s.ID)).toEqual([a.ID, b.ID]);
    const node = (await d.consul.session.node('consul-dev')) as Array<{ ID: string }>;
    expect(node.map((s) => s.ID)).toEqual([a.ID, b.ID]);
    expect((await d.call('GET', '/v1/session/node/elsewhere')).text).toBe('[]');
  });

  it('§2.3 fact 1: a TTL session is invalidated no earlier than TTL and no later than 2×TTL after the last renew', async () => {
    const d = await start({ timeScale: 100 }); // TTL 10s → 100 ms of wall time, timer at 200 ms
    const { ID } = await d.consul.session.create({ ttl: '10s', lockdelay: '0s' });
    let lastRenew = performance.now();
    // Renewing every TTL/2 keeps it alive well past 2×TTL.
    const keepUntil = performance.now() + 500;
    while (performance.now() < keepUntil) {
      await new Promise((r) => setTimeout(r, 50));
      expect((await d.call('PUT', `/v1/session/renew/${ID}`)).status).toBe(200);
      lastRenew = performance.now();
    }
    await waitUntil(async () => (await sessionInfo(d, ID)) === undefined, { intervalMs: 5, timeoutMs: 5_000, what: 'session expiry' });
    const elapsed = performance.now() - lastRenew;
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(elapsed).toBeLessThan(200 + 300); // 2×TTL plus scheduling slack on a loaded machine
  });

  it('§2.7 fact 5: destroy releases held keys (release behaviour) in the same index and arms lock-delay (fact 6)', async () => {
    const d = await start({ timeScale: 50 });
    const { ID } = await d.consul.session.create({ lockdelay: '10s' });
    expect(await d.consul.kv.set({ key: 'lock', value: 'leader-info', acquire: ID })).toBe(true);
    await d.consul.session.destroy(ID);
    const entry = (await d.call('GET', '/v1/kv/lock')).json<Array<Record<string, unknown>>>()[0];
    expect(entry).not.toHaveProperty('Session');
    expect(entry).toMatchObject({ LockIndex: 1, Value: Buffer.from('leader-info').toString('base64') });
    const state = await d.control.state();
    expect(entry.ModifyIndex).toBe(state.sessionsIndex);
    expect(state.lockDelays.lock).toBeGreaterThan(0);
    const next = await d.consul.session.create({ lockdelay: '0s' });
    expect((await d.call('PUT', `/v1/kv/lock?acquire=${next.ID}`)).text).toBe('false');
    await waitUntil(async () => (await d.call('PUT', `/v1/kv/lock?acquire=${next.ID}`)).text === 'true', { what: 'lock-delay end' });
  });

  it('§2.7: Behavior delete deletes held keys on invalidation (404 after, tombstone at the invalidation index)', async () => {
    const d = await start();
    const { ID } = await d.consul.session.create({ behavior: 'delete', lockdelay: '0s' });
    await d.consul.kv.set({ key: 'eph', value: 'x', acquire: ID });
    await d.consul.session.destroy(ID);
    const r = await d.call('GET', '/v1/kv/eph');
    expect([r.status, r.text]).toEqual([404, '']);
    const state = await d.control.state();
    expect(state.tombstones.eph).toBe(state.sessionsIndex);
    expect(r.headers.get('x-consul-index')).toBe(String(state.sessionsIndex));
  });

  it('§2.7 fact 5: a linked check turning critical invalidates the session and releases its keys; warning does not', async () => {
    const d = await start();
    await ttlCheck(d, 'svc');
    const r = await createRaw(d, { NodeChecks: [], ServiceChecks: [{ ID: 'svc' }], LockDelay: '0s' });
    const id = r.json<{ ID: string }>().ID;
    await d.consul.kv.set({ key: 'k', value: 'v', acquire: id });
    await d.call('PUT', '/v1/agent/check/warn/svc');
    expect(await sessionInfo(d, id)).toBeDefined();
    await d.call('PUT', '/v1/agent/check/fail/svc');
    expect(await sessionInfo(d, id)).toBeUndefined();
    const entry = (await d.call('GET', '/v1/kv/k')).json<Array<Record<string, unknown>>>()[0];
    expect(entry.Session).toBeUndefined();
    const checkIndex = (await d.control.state()).checks.find((c) => c.CheckID === 'svc')!.ModifyIndex;
    expect(entry.ModifyIndex).toBe(checkIndex);
  });

  it('§2.7 fact 5: deregistering a linked check (or its service) invalidates the session', async () => {
    const d = await start();
    await ttlCheck(d, 'solo');
    const s1 = (await createRaw(d, { Checks: ['solo'] })).json<{ ID: string }>().ID;
    expect((await d.call('PUT', '/v1/agent/check/deregister/solo')).status).toBe(200);
    expect(await sessionInfo(d, s1)).toBeUndefined();
    await d.call('PUT', '/v1/agent/service/register', { Name: 'web', Check: { TTL: '1h', Status: 'passing' } });
    const s2 = (await createRaw(d, { NodeChecks: [], ServiceChecks: [{ ID: 'service:web' }] })).json<{ ID: string }>().ID;
    await d.call('PUT', '/v1/agent/service/deregister/web');
    expect(await sessionInfo(d, s2)).toBeUndefined();
  });

  it('§3 fact 6: lock-delay is clamped to 60s when applied (stored unclamped), 0 disables it', async () => {
    const d = await start();
    const long = (await createRaw(d, { LockDelay: '2m' })).json<{ ID: string }>().ID;
    expect((await sessionInfo(d, long))?.LockDelay).toBe(120e9);
    await d.call('PUT', `/v1/kv/a?acquire=${long}`, 'x');
    await d.consul.session.destroy(long);
    const delays = (await d.control.state()).lockDelays;
    expect(delays.a).toBeGreaterThan(55_000);
    expect(delays.a).toBeLessThanOrEqual(60_000);
    const zero = await d.consul.session.create({ lockdelay: '0s' });
    await d.call('PUT', `/v1/kv/b?acquire=${zero.ID}`, 'x');
    await d.consul.session.destroy(zero.ID);
    const again = await d.consul.session.create({ lockdelay: '0s' });
    expect((await d.call('PUT', `/v1/kv/b?acquire=${again.ID}`)).text).toBe('true');
  });

  it('§3 fact 6: a plain ?release= does not arm lock-delay (another session acquires at once)', async () => {
    const d = await start();
    const a = await d.consul.session.create({ lockdelay: '60s' });
    const b = await d.consul.session.create({ lockdelay: '60s' });
    await d.call('PUT', `/v1/kv/l?acquire=${a.ID}`, 'x');
    expect((await d.call('PUT', `/v1/kv/l?release=${a.ID}`, 'x')).text).toBe('true');
    expect((await d.call('PUT', `/v1/kv/l?acquire=${b.ID}`, 'y')).text).toBe('true');
    expect((await d.control.state()).lockDelays).toEqual({});
  });
});
