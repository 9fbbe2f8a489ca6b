// The control API (checklist item 9): faults injected on the API port, state inspection.
import { describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../test/support/wait-until.js';
import { timed, useDoubles } from './double.js';

const start = useDoubles();

describe('fault injection through the control port (docs/consul-behaviour.md §10 item 9)', () => {
  it('hang: every API request waits, connection open, until the hang is released', async () => {
    const d = await start();
    await d.control.hang();
    let answered = false;
    const pending = d.call('GET', '/v1/status/leader').then((r) => ((answered = true), r));
    await waitUntil(async () => (await d.control.state()).faults.heldRequests === 1, { what: 'a held request' });
    expect(answered).toBe(false);
    await d.control.releaseHang();
    expect((await pending).status).toBe(200);
  });

  it('§1.6: no leader: leader-served requests get 500 No cluster leader after the hold; ?stale reads still work with KnownLeader false', async () => {
    const d = await start();
    await d.consul.kv.set('k', 'v');
    await d.control.noLeader(200);
    const { value: r, ms } = await timed(() => d.call('PUT', '/v1/session/create'));
    expect([r.status, r.text]).toEqual([500, 'No cluster leader']);
    expect(ms).toBeGreaterThanOrEqual(195);
    await expect(d.consul.kv.get('k')).rejects.toThrow('No cluster leader');
    const stale = await d.call('GET', '/v1/kv/k?stale');
    expect([stale.status, stale.headers.get('x-consul-knownleader')]).toEqual([200, 'false']);
    expect((await d.call('GET', '/v1/status/leader')).json()).toBe('');
    expect((await d.call('GET', '/v1/agent/checks')).status).toBe(200); // agent-local
  });

  it('§1.6: a leader coming back within the hold lets the held request succeed', async () => {
    const d = await start();
    await d.control.noLeader(10_000);
    const pending = d.call('PUT', '/v1/kv/k', 'v');
    await waitUntil(async () => (await d.control.state()).faults.heldRequests === 1, { what: 'a held request' });
    await d.control.leaderBack();
    expect((await pending).text).toBe('true');
  });

  it('latency: every API request is delayed', async () => {
    const d = await start();
    await d.control.latency(150);
    const { ms } = await timed(() => d.call('GET', '/v1/status/leader'));
    expect(ms).toBeGreaterThanOrEqual(145);
    await d.control.clearFaults();
    expect((await timed(() => d.call('GET', '/v1/status/leader'))).ms).toBeLessThan(145);
  });

  it('forced check status: critical invalidates linked sessions and stays pinned against probes until unpinned', async () => {
    const d = await start();
    await d.call('PUT', '/v1/agent/check/register', { Name: 'c', TTL: '1h', Status: 'passing' });
    const { ID } = await d.consul.session.create({ checks: ['c'] });
    await d.control.forceCheck('c', 'critical', { output: 'boom' });
    expect((await d.call('GET', `/v1/session/info/${ID}`)).text).toBe('[]');
    await d.call('PUT', '/v1/agent/check/pass/c');
    expect((await d.control.state()).checks.find((c) => c.CheckID === 'c')).toMatchObject({ Status: 'critical', Output: 'boom', Pinned: true });
    await d.control.unpinCheck('c');
    await d.call('PUT', '/v1/agent/check/pass/c');
    expect((await d.control.state()).checks.find((c) => c.CheckID === 'c')?.Status).toBe('passing');
    await expect(d.control.forceCheck('ghost', 'passing')).rejects.toThrow('404');
  });

  it('invalidate a session: like an operator destroy (keys released, lock-delay armed)', async () => {
    const d = await start();
    const { ID } = await d.consul.session.create({ lockdelay: '15s' });
    await d.consul.kv.set({ key: 'l', value: 'v', acquire: ID });
    const state = await d.control.invalidateSession(ID);
    expect(state.sessions).toEqual([]);
    expect(state.kv[0]).toMatchObject({ Key: 'l', Session: null });
    expect(state.lockDelays.l).toBeGreaterThan(0);
  });

  it('reset: state emptied, serfHealth passing, index moved back (snapshot restore)', async () => {
    const d = await start();
    for (let i = 0; i < 20; i++) await d.consul.kv.set(`k${i}`, 'v');
    await d.consul.session.create({});
    const state = await d.control.reset(3);
    expect(state).toMatchObject({ index: 3, sessions: [], kv: [], services: [] });
    expect(state.checks).toEqual([expect.objectContaining({ CheckID: 'serfHealth', Status: 'passing' })]);
    expect((await d.call('GET', '/v1/kv/k0')).headers.get('x-consul-index')).toBe('3');
  });

  it('stop and resume the API port: connection refused while stopped, same port afterwards', async () => {
    const d = await start();
    await d.control.stopApi();
    await expect(d.api('/v1/status/leader')).rejects.toMatchObject({ cause: expect.objectContaining({ code: 'ECONNREFUSED' }) });
    expect((await d.control.state()).listening).toBe(false);
    await d.control.resumeApi();
    expect((await d.call('GET', '/v1/status/leader')).status).toBe(200);
  });

  it('stopping the API port cuts a blocked query', async () => {
    const d = await start();
    const pending = d.api('/v1/kv/k?index=100&wait=5m').then(() => 'answered', () => 'cut');
    await waitUntil(async () => (await d.control.state()).blockedQueries === 1, { what: 'the query to block' });
    await d.control.stopApi();
    expect(await pending).toBe('cut');
  });
});
