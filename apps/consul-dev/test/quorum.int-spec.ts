// The servers without quorum, and consistent reads (docs/consul-behaviour.md §12.6-12.7, P22-P25).
import { describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../test/support/wait-until.js';
import { type TestDouble, timed, useDoubles } from './double.js';

const start = useDoubles();
const NO_LEADER = 'rpc error making call: No cluster leader';
const T = { detectMs: 100, rejoinMs: 100, dialTimeoutMs: 100, keepaliveMs: 0, noServersMs: 5_000, inFlightFailMs: 400, rpcHoldMs: 250 };

/** Two agents; Consul time 100x faster, so a 10 s TTL expires 200 ms (2 × TTL) after its last renew. */
const cluster = (): Promise<TestDouble> => start({ agents: ['host-a', 'host-b'], timings: T, timeScale: 100 });

describe('the servers lose quorum (docs/consul-behaviour.md §12.6)', () => {
  it('P22: writes and default or ?consistent reads are held for the hold time, then 500 `rpc error making call: No cluster leader`', async () => {
    const d = await cluster();
    await d.call('PUT', '/v1/kv/k', 'v');
    await d.control.loseQuorum();
    for (const [method, path] of [['PUT', '/v1/kv/k'], ['GET', '/v1/kv/k'], ['GET', '/v1/kv/k?consistent'], ['PUT', '/v1/session/create'], ['GET', '/v1/health/service/x']]) {
      const { value: r, ms } = await timed(() => d.callAgent('host-b', method, path));
      expect([method, path, r.status, r.text]).toEqual([method, path, 500, NO_LEADER]);
      expect(ms).toBeGreaterThanOrEqual(240);
    }
    expect((await d.call('GET', '/v1/status/leader')).json()).toBe('');
    expect((await d.call('GET', '/v1/agent/checks')).status).toBe(200);
  });

  it('P22: a call held during the hold goes through when the quorum comes back in time', async () => {
    const d = await cluster();
    await d.control.loseQuorum({ rpcHoldMs: 10_000 });
    const pending = d.call('PUT', '/v1/kv/k', 'v');
    await waitUntil(async () => (await d.control.state()).quorumLostForMs! >= 100, { what: 'the call to be held' });
    await d.control.restoreQuorum();
    expect((await pending).text).toBe('true');
  });

  it('P23: ?stale reads still answer 200 with X-Consul-KnownLeader false and a growing LastContact', async () => {
    const d = await cluster();
    await d.call('PUT', '/v1/kv/k', 'v');
    await d.control.loseQuorum();
    await waitUntil(async () => (await d.control.state()).quorumLostForMs! >= 50, { what: 'some time without leader' });
    const r = await d.callAgent('host-b', 'GET', '/v1/kv/k?stale');
    expect([r.status, r.headers.get('x-consul-knownleader'), r.headers.get('x-consul-effective-consistency')]).toEqual([200, 'false', 'stale']);
    expect(Number(r.headers.get('x-consul-lastcontact'))).toBeGreaterThanOrEqual(50);
  });

  it('P24: no invalidation without a leader (TTL, failed node); back, every TTL restarts at 2 x TTL and failed nodes are reconciled then', async () => {
    const d = await cluster();
    const { ID: ttl } = (await d.call('PUT', '/v1/session/create', { TTL: '10s', NodeChecks: [] })).json<{ ID: string }>();
    const { ID: bound } = (await d.callAgent('host-b', 'PUT', '/v1/session/create')).json<{ ID: string }>();
    await d.control.loseQuorum();
    await d.control.partition('host-b');
    // 2 × TTL (200 ms) and the detection delay (100 ms) both pass without a leader: nothing happens.
    await waitUntil(async () => (await d.control.state()).quorumLostForMs! >= 500, { what: 'time without leader', intervalMs: 50 });
    let state = await d.control.state();
    expect(state.sessions.map((s) => s.ID).sort()).toEqual([ttl, bound].sort());
    expect(state.agents[1]).toMatchObject({ serfHealth: 'passing', serverView: 'alive' });
    const back = performance.now();
    state = await d.control.restoreQuorum();
    expect(state.agents[1]).toMatchObject({ serfHealth: 'critical', serverView: 'failed' });
    expect(state.sessions.map((s) => s.ID)).toEqual([ttl]); // reconciled at once; the TTL session was re-armed
    await waitUntil(async () => (await d.control.state()).sessions.length === 0, { what: 'the re-armed TTL', intervalMs: 10 });
    expect(performance.now() - back).toBeGreaterThanOrEqual(190);
  });
});

describe('consistent reads (docs/consul-behaviour.md §12.7)', () => {
  it('P25: ?consistent KV and session reads answer with X-Consul-Effective-Consistency consistent; ?stale with ?consistent is a 400', async () => {
    const d = await cluster();
    const { ID } = (await d.callAgent('host-b', 'PUT', '/v1/session/create')).json<{ ID: string }>();
    await d.callAgent('host-b', 'PUT', `/v1/kv/lead?acquire=${ID}`, 'b');
    const kv = await d.callAgent('host-b', 'GET', '/v1/kv/lead?consistent');
    expect([kv.status, kv.headers.get('x-consul-effective-consistency'), kv.json<Array<{ Session: string }>>()[0].Session]).toEqual([200, 'consistent', ID]);
    const info = await d.callAgent('host-b', 'GET', `/v1/session/info/${ID}?consistent`);
    expect([info.status, info.headers.get('x-consul-effective-consistency'), info.json<Array<{ ID: string }>>()[0].ID]).toEqual([200, 'consistent', ID]);
    await d.control.partition('host-b');
    for (const path of ['/v1/kv/lead?stale&consistent', `/v1/session/info/${ID}?consistent&stale`]) {
      const r = await d.callAgent('host-b', 'GET', path);
      expect([r.status, r.text]).toEqual([400, 'Cannot specify ?stale with ?consistent, conflicting semantics.']);
    }
    expect((await d.callAgent('host-b', 'GET', '/v1/kv/lead?consistent')).status).toBe(500); // forwarded: fails while cut off
  });
});
