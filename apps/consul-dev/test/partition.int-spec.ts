// One agent cut off from the servers and healed (docs/consul-behaviour.md §12.2-12.4, P1-P18), with two
// agents sharing one server state and small delays. Every test names the fact it checks.
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../test/support/wait-until.js';
import { type TestDouble, timed, useDoubles } from './double.js';
import { type CheckTarget, startCheckTarget } from './target.js';

const start = useDoubles();
const targets: CheckTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.close();
});

const DIAL = 'rpc error getting client: failed to get conn: dial tcp <nil>->10.0.0.5:8300: i/o timeout';
const T = { detectMs: 300, rejoinMs: 250, dialTimeoutMs: 150, keepaliveMs: 0, noServersMs: 5_000, inFlightFailMs: 400, rpcHoldMs: 300 };

async function twoAgents(timings: Partial<typeof T> = {}): Promise<TestDouble> {
  return start({ agents: ['host-a', 'host-b'], timings: { ...T, ...timings } });
}

/** host-b runs service `web` with an HTTP check on a target the test controls; the check passes. */
async function webOnB(d: TestDouble): Promise<CheckTarget> {
  const target = await startCheckTarget();
  targets.push(target);
  await d.callAgent('host-b', 'PUT', '/v1/agent/service/register', { ID: 'web', Name: 'web', Port: 80, Check: { HTTP: target.url, Interval: '1s', Status: 'passing' } });
  return target;
}

/** A session of host-b (bound to serfHealth) holding key `lead`. */
async function lockOnB(d: TestDouble): Promise<string> {
  const { ID } = (await d.callAgent('host-b', 'PUT', '/v1/session/create', { LockDelay: '15s', TTL: '60s' })).json<{ ID: string }>();
  expect((await d.callAgent('host-b', 'PUT', `/v1/kv/lead?acquire=${ID}`, 'me')).text).toBe('true');
  return ID;
}

const serf = async (d: TestDouble, node: string) => (await d.control.agent(node)).serfHealth;

describe('an agent cut off from the servers (docs/consul-behaviour.md §12.2)', () => {
  it('P1/P3: local endpoints keep answering; a register answers 200 but reaches the catalog only after the heal', async () => {
    const d = await twoAgents();
    await d.control.partition('host-b');
    expect((await d.callAgent('host-b', 'GET', '/v1/agent/checks')).status).toBe(200);
    expect((await d.callAgent('host-b', 'GET', '/v1/agent/self')).json<{ Config: { NodeName: string } }>().Config.NodeName).toBe('host-b');
    expect((await d.callAgent('host-b', 'PUT', '/v1/agent/service/register', { Name: 'late', Check: { TTL: '1h', Status: 'passing' } })).status).toBe(200);
    expect(Object.keys((await d.callAgent('host-b', 'GET', '/v1/agent/services')).json<object>())).toEqual(['late']);
    expect((await d.call('GET', '/v1/catalog/service/late')).json()).toEqual([]);
    await d.control.heal('host-b');
    await waitUntil(async () => (await d.call('GET', '/v1/catalog/service/late')).json<unknown[]>().length === 1, { what: 'the re-sync' });
  });

  it('P4: forwarded calls fail with 500 in phases: EOF when the pooled connection dies, the dial timeout, then `No known Consul servers` at once', async () => {
    const d = await twoAgents({ keepaliveMs: 250, dialTimeoutMs: 200, noServersMs: 800 });
    await d.control.partition('host-b');
    const eof = await timed(() => d.callAgent('host-b', 'GET', '/v1/kv/k'));
    expect([eof.value.status, eof.value.text]).toEqual([500, 'rpc error making call: EOF']);
    expect(eof.ms).toBeGreaterThanOrEqual(200);
    const dial = await timed(() => d.callAgent('host-b', 'PUT', '/v1/session/create'));
    expect([dial.value.status, dial.value.text]).toEqual([500, DIAL]);
    expect(dial.ms).toBeGreaterThanOrEqual(190);
    for (const path of ['/v1/session/renew/x', '/v1/session/destroy/x']) expect((await d.callAgent('host-b', 'PUT', path)).text).toBe(DIAL);
    expect((await d.callAgent('host-b', 'GET', '/v1/status/leader')).status).toBe(500);
    await waitUntil(async () => (await d.control.agent('host-b')).partitionedForMs! >= 800, { what: 'P7 point' });
    const none = await timed(() => d.callAgent('host-b', 'GET', '/v1/session/info/x'));
    expect([none.value.status, none.value.text]).toEqual([500, 'No known Consul servers']);
    expect(none.ms).toBeLessThan(150);
    expect((await d.callAgent('host-a', 'GET', '/v1/status/leader')).json()).toBe('10.0.0.5:8300'); // the other agent is fine
  });

  it('P6: a blocking read in flight at the cut fails after the in-flight delay, not at its wait', async () => {
    const d = await twoAgents({ inFlightFailMs: 400 });
    const index = (await d.callAgent('host-b', 'GET', '/v1/kv/k')).headers.get('x-consul-index');
    const started = performance.now();
    const pending = d.callAgent('host-b', 'GET', `/v1/kv/k?index=${index}&wait=60s`);
    await waitUntil(async () => (await d.control.state()).blockedQueries === 1, { what: 'the read to block' });
    await d.control.partition('host-b');
    const r = await pending;
    expect([r.status, r.text]).toEqual([500, DIAL]);
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(10_000);
  });

  it('P8: the agent keeps running its checks (agent view follows the probe) while the catalog keeps the last synced status', async () => {
    const d = await twoAgents({ detectMs: 60_000 });
    const target = await webOnB(d);
    await d.control.partition('host-b');
    target.status = 500;
    await waitUntil(async () => (await d.control.agent('host-b')).agentChecks[0]?.Status === 'critical', { what: 'the agent to see the failure', timeoutMs: 5_000 });
    const b = await d.control.agent('host-b');
    expect(b.catalogChecks.map((c) => [c.CheckID, c.Status])).toEqual([['serfHealth', 'passing'], ['service:web', 'passing']]);
    const health = (await d.call('GET', '/v1/health/service/web')).json<Array<{ Checks: Array<{ Status: string }> }>>();
    expect(health[0].Checks.map((c) => c.Status)).toEqual(['passing', 'passing']);
    expect(Object.keys((await d.callAgent('host-b', 'GET', '/v1/agent/checks')).json<object>())).toEqual(['service:web']); // no serfHealth
  });

  it('P13: serfHealth turns critical after the detection delay and the node\'s sessions die in that index with lock-delay', async () => {
    const d = await twoAgents({ detectMs: 300 });
    await webOnB(d);
    const id = await lockOnB(d);
    const { ID: other } = (await d.callAgent('host-a', 'PUT', '/v1/session/create')).json<{ ID: string }>();
    const cut = performance.now();
    await d.control.partition('host-b');
    expect(await serf(d, 'host-b')).toBe('passing');
    await waitUntil(async () => (await serf(d, 'host-b')) === 'critical', { what: 'detection' });
    expect(performance.now() - cut).toBeGreaterThanOrEqual(290);
    const state = await d.control.state();
    const serfCheck = state.agents.find((a) => a.node === 'host-b')!.catalogChecks[0];
    expect(serfCheck).toMatchObject({ CheckID: 'serfHealth', Status: 'critical', Output: 'Agent not live or unreachable' });
    expect(state.sessions.map((s) => s.ID)).toEqual([other]);
    expect(state.sessions.map((s) => s.ID)).not.toContain(id);
    expect(state.kv[0]).toMatchObject({ Key: 'lead', Session: null, ModifyIndex: serfCheck.ModifyIndex });
    expect(state.sessionsIndex).toBe(serfCheck.ModifyIndex);
    expect(state.lockDelays.lead).toBeGreaterThan(10_000);
    expect((await d.call('PUT', `/v1/kv/lead?acquire=${other}`)).text).toBe('false');
    const health = (await d.call('GET', '/v1/health/service/web')).json<Array<{ Checks: Array<{ CheckID: string; Status: string }> }>>();
    expect(health[0].Checks[0]).toMatchObject({ CheckID: 'serfHealth', Status: 'critical' });
  });
});

describe('the cut heals (docs/consul-behaviour.md §12.4)', () => {
  it('P15/P16/P17: the node rejoins after the rejoin delay (serfHealth passing, re-sync of the current check status); session create refused until then; old sessions 404 forever', async () => {
    const d = await twoAgents({ detectMs: 200, rejoinMs: 400 });
    const target = await webOnB(d);
    const id = await lockOnB(d);
    await d.control.partition('host-b');
    target.status = 500;
    await waitUntil(async () => (await serf(d, 'host-b')) === 'critical', { what: 'detection' });
    await waitUntil(async () => (await d.control.agent('host-b')).agentChecks[0]?.Status === 'critical', { what: 'the probe', timeoutMs: 5_000 });
    const healed = performance.now();
    await d.control.heal('host-b');
    const refused = await d.callAgent('host-b', 'PUT', '/v1/session/create', { NodeChecks: ['serfHealth'] });
    expect(refused.status).toBe(500);
    expect(refused.text).toBe("rpc error making call: Check 'serfHealth' is in critical state");
    await waitUntil(async () => (await serf(d, 'host-b')) === 'passing', { what: 'the rejoin' });
    expect(performance.now() - healed).toBeGreaterThanOrEqual(390);
    const b = await d.control.agent('host-b');
    expect(b.catalogChecks.map((c) => [c.CheckID, c.Status, c.CheckID === 'serfHealth' ? c.Output : ''])).toEqual([
      ['serfHealth', 'passing', 'Agent alive and reachable'],
      ['service:web', 'critical', ''],
    ]);
    const renew = await d.callAgent('host-b', 'PUT', `/v1/session/renew/${id}`);
    expect([renew.status, renew.text]).toEqual([404, `Session id '${id}' not found`]);
    expect((await d.callAgent('host-b', 'PUT', '/v1/session/create', { NodeChecks: ['serfHealth'] })).status).toBe(200);
  });

  it('P18: a cut shorter than detection leaves sessions intact, and a call held in its dial phase succeeds late', async () => {
    const d = await twoAgents({ detectMs: 2_000, dialTimeoutMs: 5_000 });
    const id = await lockOnB(d);
    await d.control.partition('host-b');
    const pending = timed(() => d.callAgent('host-b', 'PUT', `/v1/session/renew/${id}`));
    await waitUntil(async () => (await d.control.agent('host-b')).partitionedForMs! >= 150, { what: 'a short cut' });
    await d.control.heal('host-b');
    const { value: r, ms } = await pending;
    expect(r.status).toBe(200);
    expect(ms).toBeLessThan(2_000);
    const state = await d.control.state();
    expect(state.sessions.map((s) => s.ID)).toContain(id);
    expect(state.agents.find((a) => a.node === 'host-b')).toMatchObject({ serfHealth: 'passing', serverView: 'alive', detectionArmed: false });
  });
});
