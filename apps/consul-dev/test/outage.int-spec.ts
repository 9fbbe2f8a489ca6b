// Whole-cluster faults for outage scenarios (docs/consul-behaviour.md §12): every agent down or cut off
// at once, and a staggered return of the servers and the agents in any order; the node reads an
// independent checker uses (§12.8); and the two timing facts of a cut-off agent (P3, P4's lead thread).
import { describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../test/support/wait-until.js';
import { type TestDouble, timed, useDoubles } from './double.js';

const start = useDoubles();
const T = { detectMs: 200, rejoinMs: 100, dialTimeoutMs: 300, keepaliveMs: 0, noServersMs: 60_000, inFlightFailMs: 400, rpcHoldMs: 300 };
const DIAL = 'rpc error getting client: failed to get conn: dial tcp <nil>->10.0.0.5:8300: i/o timeout';
const LEAD = "rpc error getting client: failed to get conn: rpc error: lead thread didn't get connection";

const threeAgents = (): Promise<TestDouble> => start({ agents: ['a4c-1', 'a4c-2', 'a4c-3'], timings: T });
const refused = (d: TestDouble, node: string) =>
  d.callAgent(node, 'GET', '/v1/agent/self').then(() => 'answered', (e: { cause?: { code?: string } }) => e.cause?.code);

describe('every agent at once (a total Consul outage as the hosts see it)', () => {
  it('POST /agents/kill: every agent refuses connections at once, and the servers detect each node', async () => {
    const d = await threeAgents();
    const state = await d.control.killAll();
    expect(state.agents.map((a) => [a.node, a.process, a.listening])).toEqual([['a4c-1', 'killed', false], ['a4c-2', 'killed', false], ['a4c-3', 'killed', false]]);
    for (const node of ['a4c-1', 'a4c-2', 'a4c-3']) expect(await refused(d, node)).toBe('ECONNREFUSED');
    await waitUntil(async () => (await d.control.state()).agents.every((a) => a.serfHealth === 'critical'), { what: 'detection of every node' });
    await expect(d.control.killAll()).rejects.toThrow('409 no agent is running');
  });

  it('POST /agents/partition: every agent keeps answering locally while every forwarded call fails', async () => {
    const d = await threeAgents();
    await d.control.partitionAll();
    for (const node of ['a4c-1', 'a4c-2', 'a4c-3']) {
      expect((await d.callAgent(node, 'GET', '/v1/agent/checks')).status).toBe(200);
      expect((await d.callAgent(node, 'GET', '/v1/kv/k')).text).toBe(DIAL);
    }
    await expect(d.control.partitionAll()).rejects.toThrow('409 no running agent is connected');
  });
});

describe('a staggered return (POST /recovery)', () => {
  it('brings the quorum and each agent back at its own time, in the order given', async () => {
    const d = await threeAgents();
    await d.control.loseQuorum({ rpcHoldMs: 50 });
    await d.control.killAll();
    const startedAt = performance.now();
    const state = await d.control.recover([{ atMs: 0, target: 'a4c-2' }, { atMs: 300, target: 'servers' }, { atMs: 600, target: 'a4c-1' }]);
    expect(state.recovery.pending.map((p) => p.target).sort()).toEqual(['a4c-1', 'a4c-2', 'servers']);
    await waitUntil(async () => (await refused(d, 'a4c-2')) === 'answered', { what: 'a4c-2 back first' });
    expect(await refused(d, 'a4c-1')).toBe('ECONNREFUSED');
    // back before the servers: its forwarded calls fail without a leader
    expect((await d.callAgent('a4c-2', 'GET', '/v1/kv/k')).status).toBe(500);
    await waitUntil(async () => !(await d.control.state()).quorumLost, { what: 'the quorum back' });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
    await waitUntil(async () => (await d.callAgent('a4c-2', 'GET', '/v1/kv/k')).status === 404, { what: 'a4c-2 rejoined' });
    await waitUntil(async () => (await refused(d, 'a4c-1')) === 'answered', { what: 'a4c-1 back' });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(590);
    const after = await d.control.state();
    expect(after.agents.map((a) => a.process)).toEqual(['running', 'running', 'killed']); // a4c-3 was not in the plan
    expect(after.recovery).toEqual({ pending: [], lastError: null });
  });

  it('applies each call\'s own delay overrides (a rejoin of 100 ms here against 60 s for the other call)', async () => {
    const d = await start({ agents: ['a4c-1', 'a4c-2', 'a4c-3'], timings: { ...T, rejoinMs: 60_000 } });
    await d.control.kill('a4c-1');
    await d.control.kill('a4c-2');
    await d.control.recover([{ atMs: 0, target: 'a4c-1' }]); // the cluster's 60 s rejoin
    await d.control.recover([{ atMs: 0, target: 'a4c-2' }], { rejoinMs: 100 });
    await waitUntil(async () => (await d.callAgent('a4c-2', 'GET', '/v1/kv/k')).status === 404, { what: 'a4c-2 rejoined after 100 ms' });
    expect((await d.callAgent('a4c-1', 'GET', '/v1/kv/k')).text).toBe('No known Consul servers');
  });

  it('heals a cut-off agent; refuses a target that is up (409) and a malformed plan (400)', async () => {
    const d = await threeAgents();
    await d.control.partition('a4c-3');
    await expect(d.control.recover([{ atMs: 0, target: 'a4c-1' }])).rejects.toThrow('409 agent a4c-1 is running and connected');
    await expect(d.control.recover([{ atMs: 0, target: 'servers' }])).rejects.toThrow('409 quorum is not lost');
    await expect(d.control.recover([{ atMs: -1, target: 'a4c-3' }])).rejects.toThrow('400 steps[0].atMs must be a number of milliseconds >= 0');
    await expect(d.control.recover([{ atMs: 0, target: 'a4c-3' }, { atMs: 5, target: 'a4c-3' }])).rejects.toThrow('named twice');
    await d.control.recover([{ atMs: 0, target: 'a4c-3' }]);
    await waitUntil(async () => (await d.callAgent('a4c-3', 'GET', '/v1/kv/k')).status === 404, { what: 'the heal' });
  });
});

describe('node reads of the catalog (docs/consul-behaviour.md §12.8)', () => {
  it('P27: GET /v1/catalog/nodes lists every registered node by name; a node that left is gone', async () => {
    const d = await threeAgents();
    const r = await d.call('GET', '/v1/catalog/nodes');
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('x-consul-index'))).toBe((await d.control.state()).catalogIndex);
    const nodes = r.json<Array<{ Node: string; Address: string; Datacenter: string; CreateIndex: number }>>();
    expect(nodes.map((n) => [n.Node, n.Address, n.Datacenter])).toEqual([['a4c-1', '127.0.0.1', 'dc1'], ['a4c-2', '127.0.0.1', 'dc1'], ['a4c-3', '127.0.0.1', 'dc1']]);
    await d.control.leave('a4c-2');
    expect((await d.call('GET', '/v1/catalog/nodes')).json<Array<{ Node: string }>>().map((n) => n.Node)).toEqual(['a4c-1', 'a4c-3']);
  });

  it('P28: GET /v1/health/node/<node> answers the node\'s checks as the servers have them, serfHealth first; an unknown node is []', async () => {
    const d = await threeAgents();
    await d.callAgent('a4c-2', 'PUT', '/v1/agent/service/register', { ID: 'a4c-x', Name: 'a4c', Check: { CheckID: 'service:a4c-x', TTL: '1h', Status: 'passing' } });
    const checks = (await d.call('GET', '/v1/health/node/a4c-2')).json<Array<{ Node: string; CheckID: string; Status: string; ServiceName: string }>>();
    expect(checks.map((c) => [c.Node, c.CheckID, c.Status, c.ServiceName])).toEqual([['a4c-2', 'serfHealth', 'passing', ''], ['a4c-2', 'service:a4c-x', 'passing', 'a4c']]);
    await d.control.kill('a4c-2');
    await waitUntil(async () => (await d.call('GET', '/v1/health/node/a4c-2')).json<Array<{ Status: string }>>()[0].Status === 'critical', { what: 'serfHealth critical' });
    const unknown = await d.call('GET', '/v1/health/node/nope');
    expect([unknown.status, unknown.json()]).toEqual([200, []]);
  });

  it('P27/P28: both are blocking reads: a blocked GET returns when a check of the catalog changes', async () => {
    const d = await threeAgents();
    const index = (await d.call('GET', '/v1/health/node/a4c-1')).headers.get('x-consul-index');
    const pending = d.call('GET', `/v1/health/node/a4c-1?index=${index}&wait=30s`);
    await waitUntil(async () => (await d.control.state()).blockedQueries === 1, { what: 'the read to block' });
    await d.control.forceCheck('serfHealth', 'critical');
    const r = await pending;
    expect(Number(r.headers.get('x-consul-index'))).toBeGreaterThan(Number(index));
  });
});

describe('timing facts of a cut-off agent (docs/consul-behaviour.md §12.2)', () => {
  it('P3: a service register answers 200 only after its synchronous sync has failed (here the dial timeout), not at once', async () => {
    const d = await threeAgents();
    await d.control.partition('a4c-1');
    const r = await timed(() => d.callAgent('a4c-1', 'PUT', '/v1/agent/service/register', { Name: 'late', Check: { TTL: '1h', Status: 'passing' } }));
    expect(r.value.status).toBe(200);
    expect(r.ms).toBeGreaterThanOrEqual(290);
    expect(Object.keys((await d.callAgent('a4c-1', 'GET', '/v1/agent/services')).json<object>())).toEqual(['late']);
    expect((await d.callAgent('a4c-2', 'GET', '/v1/catalog/service/late')).json()).toEqual([]);
  });

  it('P3: with the servers without a leader, the register waits out the leader hold, then answers 200', async () => {
    const d = await threeAgents();
    await d.control.loseQuorum({ rpcHoldMs: 300 });
    const r = await timed(() => d.callAgent('a4c-1', 'PUT', '/v1/agent/service/register', { Name: 'late' }));
    expect([r.value.status, r.ms >= 290]).toEqual([200, true]);
  });

  it('P3: connected, the register answers at once and is in the catalog', async () => {
    const d = await threeAgents();
    const r = await timed(() => d.callAgent('a4c-1', 'PUT', '/v1/agent/service/register', { Name: 'now' }));
    expect([r.value.status, r.ms < 250]).toEqual([200, true]);
    expect((await d.call('GET', '/v1/catalog/service/now')).json<unknown[]>()).toHaveLength(1);
  });

  it('P4: in the dial phase a second caller waits for the first one\'s dial and fails with it: `lead thread didn\'t get connection`', async () => {
    const d = await threeAgents();
    await d.control.partition('a4c-1');
    const first = timed(() => d.callAgent('a4c-1', 'GET', '/v1/kv/k'));
    await waitUntil(async () => (await d.control.agent('a4c-1')).dialling, { what: 'the first call to dial' });
    const second = await timed(() => d.callAgent('a4c-1', 'PUT', '/v1/session/create'));
    const lead = await first;
    expect([lead.value.status, lead.value.text]).toEqual([500, DIAL]);
    expect([second.value.status, second.value.text]).toEqual([500, LEAD]);
    expect(lead.ms).toBeGreaterThanOrEqual(290);
    // the next call after that dial failed dials anew
    expect((await d.callAgent('a4c-1', 'GET', '/v1/kv/k')).text).toBe(DIAL);
  });
});
