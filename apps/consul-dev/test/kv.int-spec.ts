// docs/consul-behaviour.md §4 (checklist item 5).
import { describe, expect, it } from '@jest/globals';
import { useDoubles } from './double.js';

const start = useDoubles();
const LOCK_FLAG = '3304740253564472344'; // api/lock.go LockFlagValue, above 2^53

describe('KV (docs/consul-behaviour.md §4)', () => {
  it('§4.1 fact 10: GET returns [entry] with fields in the order LockIndex, Key, Flags, Value, Session, CreateIndex, ModifyIndex', async () => {
    const d = await start();
    const { ID } = await d.consul.session.create({});
    await d.call('PUT', `/v1/kv/service/a4c/leader?acquire=${ID}&flags=${LOCK_FLAG}`, '{"id":"a"}');
    const r = await d.call('GET', '/v1/kv/service/a4c/leader');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.text).toMatch(new RegExp(`^\\[\\{"LockIndex":1,"Key":"service/a4c/leader","Flags":${LOCK_FLAG},"Value":"${Buffer.from('{"id":"a"}').toString('base64')}","Session":"${ID}","CreateIndex":(\\d+),"ModifyIndex":\\1\\}\\]$`));
    const plain = await d.call('GET', '/v1/kv/empty');
    expect(plain.status).toBe(404);
    await d.call('PUT', '/v1/kv/empty', '');
    expect((await d.call('GET', '/v1/kv/empty')).text).toMatch(/^\[\{"LockIndex":0,"Key":"empty","Flags":0,"Value":null,"CreateIndex":\d+,"ModifyIndex":\d+\}\]$/);
    const viaClient = (await d.consul.kv.get('service/a4c/leader')) as unknown as { Value: string; Session: string };
    expect(viaClient).toMatchObject({ Value: '{"id":"a"}', Session: ID });
  });

  it('§4.2 fact 10: an absent key is 404 with an empty body and an X-Consul-Index; the index of a present key is its ModifyIndex', async () => {
    const d = await start();
    await d.consul.kv.set('other', 'x');
    const r = await d.call('GET', '/v1/kv/absent');
    expect([r.status, r.text]).toEqual([404, '']);
    const index = Number(r.headers.get('x-consul-index'));
    expect(index).toBe((await d.control.state()).kvIndex);
    await d.consul.kv.set('present', 'y');
    const p = await d.call('GET', '/v1/kv/present');
    expect(Number(p.headers.get('x-consul-index'))).toBe(p.json<Array<{ ModifyIndex: number }>>()[0].ModifyIndex);
    expect(await d.consul.kv.get('absent')).toBeUndefined();
    expect((await d.call('GET', '/v1/kv/')).status).toBe(400);
    expect((await d.call('GET', '/v1/kv/')).text).toBe('Missing key name');
  });

  it('§4.2: ?raw returns the bare value as text/plain with nosniff; ?recurse lists sorted entries (404 if none); ?keys with separator', async () => {
    const d = await start();
    for (const k of ['app/b', 'app/a', 'app/dir/x', 'other']) await d.consul.kv.set(k, `v-${k}`);
    const raw = await d.call('GET', '/v1/kv/app/a?raw');
    expect([raw.status, raw.text, raw.headers.get('content-type'), raw.headers.get('x-content-type-options')]).toEqual([200, 'v-app/a', 'text/plain', 'nosniff']);
    const rec = await d.call('GET', '/v1/kv/app/?recurse');
    expect(rec.json<Array<{ Key: string }>>().map((e) => e.Key)).toEqual(['app/a', 'app/b', 'app/dir/x']);
    expect((await d.call('GET', '/v1/kv/nothing/?recurse')).status).toBe(404);
    expect((await d.call('GET', '/v1/kv/app/?keys&separator=/')).json()).toEqual(['app/a', 'app/b', 'app/dir/']);
    expect((await d.call('GET', '/v1/kv/?keys')).json()).toEqual(['app/a', 'app/b', 'app/dir/x', 'other']);
    expect((await d.call('GET', '/v1/kv/zzz?keys')).status).toBe(404);
  });

  it('§4.3 fact 7: acquire is true on a free key (LockIndex 1), true again for the holder (LockIndex unchanged), false for another session', async () => {
    const d = await start();
    const a = await d.consul.session.create({});
    const b = await d.consul.session.create({});
    expect(await d.consul.kv.set({ key: 'l', value: 'a1', acquire: a.ID })).toBe(true);
    expect(await d.consul.kv.set({ key: 'l', value: 'a2', acquire: a.ID })).toBe(true);
    let entry = (await d.call('GET', '/v1/kv/l')).json<Array<Record<string, unknown>>>()[0];
    expect(entry).toMatchObject({ LockIndex: 1, Session: a.ID, Value: Buffer.from('a2').toString('base64') });
    const refused = await d.call('PUT', `/v1/kv/l?acquire=${b.ID}`, 'b');
    expect([refused.status, refused.text]).toEqual([200, 'false']);
    // docs/architecture.md §6: the client resolves a refused acquire to something other than true.
    expect(await d.consul.kv.set({ key: 'l', value: 'b', acquire: b.ID })).not.toBe(true);
    await d.consul.kv.set({ key: 'l', value: 'a3', release: a.ID });
    await d.consul.kv.set({ key: 'l', value: 'b', acquire: b.ID });
    entry = (await d.call('GET', '/v1/kv/l')).json<Array<Record<string, unknown>>>()[0];
    expect(entry).toMatchObject({ LockIndex: 2, Session: b.ID });
  });

  it('§4.3 fact 7: acquire with an unknown session is 500 invalid session "<id>"; an empty one 500 missing session', async () => {
    const d = await start();
    const r = await d.call('PUT', '/v1/kv/l?acquire=2f1e2a3b-0000-0000-0000-000000000000', 'x');
    expect([r.status, r.text]).toEqual([500, 'invalid session "2f1e2a3b-0000-0000-0000-000000000000"']);
    expect((await d.call('PUT', '/v1/kv/l?acquire=', 'x')).text).toBe('missing session');
    await expect(d.consul.kv.set({ key: 'l', value: 'x', acquire: 'nope' })).rejects.toThrow('invalid session "nope"');
  });

  it('§4.3 fact 8: release is true only for the holder, clears Session, keeps LockIndex and replaces Value and Flags (0 if absent)', async () => {
    const d = await start();
    const a = await d.consul.session.create({});
    const b = await d.consul.session.create({});
    await d.call('PUT', `/v1/kv/l?acquire=${a.ID}&flags=7`, 'held');
    expect((await d.call('PUT', `/v1/kv/l?release=${b.ID}`, 'x')).text).toBe('false');
    expect((await d.call('PUT', `/v1/kv/absent?release=${a.ID}`, 'x')).text).toBe('false');
    expect((await d.call('PUT', `/v1/kv/l?release=${a.ID}`, '')).text).toBe('true');
    const entry = (await d.call('GET', '/v1/kv/l')).json<Array<Record<string, unknown>>>()[0];
    expect(entry).toEqual({ LockIndex: 1, Key: 'l', Flags: 0, Value: null, CreateIndex: expect.any(Number), ModifyIndex: expect.any(Number) });
  });

  it('§4.3 fact 9: a plain PUT ignores the lock (Session kept, LockIndex reset to 0); an identical write does not move ModifyIndex', async () => {
    const d = await start();
    const a = await d.consul.session.create({});
    await d.call('PUT', `/v1/kv/l?acquire=${a.ID}`, 'x');
    expect((await d.call('PUT', '/v1/kv/l', 'overwritten')).text).toBe('true');
    const entry = (await d.call('GET', '/v1/kv/l')).json<Array<Record<string, unknown>>>()[0];
    expect(entry).toMatchObject({ LockIndex: 0, Session: a.ID, Value: Buffer.from('overwritten').toString('base64') });
    await d.call('PUT', '/v1/kv/l', 'overwritten');
    expect((await d.call('GET', '/v1/kv/l')).json<Array<Record<string, unknown>>>()[0].ModifyIndex).toBe(entry.ModifyIndex);
  });

  it('§4.3: ?cas=0 only creates; ?cas=N needs ModifyIndex == N', async () => {
    const d = await start();
    expect((await d.call('PUT', '/v1/kv/c?cas=0', 'one')).text).toBe('true');
    expect((await d.call('PUT', '/v1/kv/c?cas=0', 'two')).text).toBe('false');
    const modify = (await d.call('GET', '/v1/kv/c')).json<Array<{ ModifyIndex: number }>>()[0].ModifyIndex;
    expect((await d.call('PUT', `/v1/kv/c?cas=${modify + 1}`, 'three')).text).toBe('false');
    expect((await d.call('PUT', `/v1/kv/c?cas=${modify}`, 'three')).text).toBe('true');
    expect((await d.call('PUT', '/v1/kv/missing?cas=5', 'x')).text).toBe('false');
  });

  it('§4.3: two of cas/acquire/release are 400 Conflicting flags; bad flags are a 500 from strconv', async () => {
    const d = await start();
    const r = await d.call('PUT', '/v1/kv/k?cas=0&acquire=x', 'v');
    expect([r.status, r.text]).toEqual([400, 'Conflicting flags: acquire=x&cas=0']);
    const f = await d.call('PUT', '/v1/kv/k?flags=abc', 'v');
    expect([f.status, f.text]).toEqual([500, 'strconv.ParseUint: parsing "abc": invalid syntax']);
  });

  it('§4.3: a value over 512 KiB is 413; exactly 512 KiB is accepted', async () => {
    const d = await start();
    expect((await d.call('PUT', '/v1/kv/big', 'x'.repeat(512 * 1024))).status).toBe(200);
    const r = await d.call('PUT', '/v1/kv/big', 'x'.repeat(512 * 1024 + 1));
    expect(r.status).toBe(413);
    expect(r.text).toContain('too large');
  });

  it('§4.3: Flags is an exact uint64 (the Go lock flag survives a round trip)', async () => {
    const d = await start();
    await d.call('PUT', `/v1/kv/f?flags=${LOCK_FLAG}`, 'v');
    expect((await d.call('GET', '/v1/kv/f')).text).toContain(`"Flags":${LOCK_FLAG},`);
  });

  it('§4.4: DELETE plain ignores locks (no lock-delay), ?recurse deletes a prefix, ?cas deletes only on a matching index; tombstones carry the index', async () => {
    const d = await start();
    const a = await d.consul.session.create({ lockdelay: '60s' });
    await d.call('PUT', `/v1/kv/held?acquire=${a.ID}`, 'x');
    expect((await d.call('DELETE', '/v1/kv/held')).text).toBe('true');
    expect((await d.control.state()).lockDelays).toEqual({});
    expect((await d.call('PUT', `/v1/kv/held?acquire=${a.ID}`, 'x')).text).toBe('true');
    for (const k of ['t/1', 't/2', 'u']) await d.consul.kv.set(k, 'v');
    expect((await d.call('DELETE', '/v1/kv/t/?recurse')).text).toBe('true');
    expect((await d.call('GET', '/v1/kv/t/?recurse')).status).toBe(404);
    const rec = await d.call('GET', '/v1/kv/t/?keys');
    expect(Number(rec.headers.get('x-consul-index'))).toBe((await d.control.state()).tombstones['t/1']);
    const modify = (await d.call('GET', '/v1/kv/u')).json<Array<{ ModifyIndex: number }>>()[0].ModifyIndex;
    expect((await d.call('DELETE', `/v1/kv/u?cas=${modify + 1}`)).text).toBe('false');
    expect((await d.call('DELETE', '/v1/kv/u?cas=0')).text).toBe('false');
    expect((await d.call('DELETE', `/v1/kv/u?cas=${modify}`)).text).toBe('true');
    expect((await d.call('DELETE', '/v1/kv/u?cas=3')).text).toBe('true');
    expect((await d.call('DELETE', '/v1/kv/')).status).toBe(400);
  });
});
