// An agent process killed, restarted, or leaving (docs/consul-behaviour.md §12.5, P19-P21), with two
// agents sharing one server state and small delays.
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../test/support/wait-until.js';
import { type TestDouble, useDoubles } from './double.js';
import { type CheckTarget, startCheckTarget } from './target.js';

const start = useDoubles();
const targets: CheckTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.close();
});

const T = { detectMs: 250, rejoinMs: 150, dialTimeoutMs: 150, keepaliveMs: 0, noServersMs: 5_000, inFlightFailMs: 400, rpcHoldMs: 300 };

async function setup(options: { random?: () => number } = {}): Promise<{ d: TestDouble; target: CheckTarget; url: string }> {
  const d = await start({ agents: ['host-a', 'host-b'], timings: T, ...options });
  const target = await startCheckTarget();
  targets.push(target);
  await d.callAgent('host-b', 'PUT', '/v1/agent/service/register', { ID: 'web', Name: 'web', Port: 80, Check: { HTTP: target.url, Interval: '1s', Status: 'passing' } });
  return { d, target, url: `http://127.0.0.1:${d.server.agents[1].port}` };
}

const refused = (url: string) => fetch(`${url}/v1/agent/self`).then(() => 'answered', (e: { cause?: { code?: string } }) => e.cause?.code);
const agentB = (d: TestDouble) => d.control.agent('host-b');

describe('an agent process dies or leaves (docs/consul-behaviour.md §12.5)', () => {
  it('P19: a killed agent refuses connections at once and is noticed like a cut: serfHealth critical after the detection delay, its sessions gone, its checks frozen', async () => {
    const { d, target, url } = await setup();
    const { ID } = (await d.callAgent('host-b', 'PUT', '/v1/session/create', { LockDelay: '15s' })).json<{ ID: string }>();
    await d.callAgent('host-b', 'PUT', `/v1/kv/lead?acquire=${ID}`, 'b');
    const killedAt = performance.now();
    await d.control.kill('host-b');
    expect(await refused(url)).toBe('ECONNREFUSED');
    expect((await agentB(d)).serfHealth).toBe('passing');
    target.status = 500; // nobody probes any more: the catalog keeps `passing`
    await waitUntil(async () => (await agentB(d)).serfHealth === 'critical', { what: 'detection' });
    expect(performance.now() - killedAt).toBeGreaterThanOrEqual(240);
    const state = await d.control.state();
    expect(state.sessions).toEqual([]);
    expect(state.kv[0]).toMatchObject({ Key: 'lead', Session: null });
    expect(state.lockDelays.lead).toBeGreaterThan(10_000);
    expect(state.agents[1].catalogChecks.map((c) => [c.CheckID, c.Status])).toEqual([['serfHealth', 'critical'], ['service:web', 'passing']]);
    expect(state.agents[1]).toMatchObject({ process: 'killed', listening: false });
  });

  it('P21: a restarted agent listens again with its registrations, HTTP checks start critical and run again; serfHealth passing after the rejoin', async () => {
    const { d, url } = await setup();
    await d.control.kill('host-b');
    await waitUntil(async () => (await agentB(d)).serfHealth === 'critical', { what: 'detection' });
    await d.control.restart('host-b', { rejoinMs: 300 });
    const restarted = await d.callAgent('host-b', 'GET', '/v1/agent/checks');
    expect(restarted.json<Record<string, { Status: string }>>()['service:web'].Status).toBe('critical');
    expect(Object.keys((await d.callAgent('host-b', 'GET', '/v1/agent/services')).json<object>())).toEqual(['web']);
    expect((await d.callAgent('host-b', 'PUT', '/v1/session/create')).text).toBe('No known Consul servers'); // not joined yet
    await waitUntil(async () => (await agentB(d)).serfHealth === 'passing', { what: 'the rejoin' });
    await waitUntil(async () => (await agentB(d)).catalogChecks[1]?.Status === 'passing', { what: 'the check to run again', timeoutMs: 5_000 });
    expect(await refused(url)).toBe('answered');
    expect((await d.callAgent('host-b', 'PUT', '/v1/session/create')).status).toBe(200);
  });

  it('P21: a restart before detection pushes the critical HTTP check before its first probe and kills the sessions bound to it', async () => {
    const { d } = await setup({ random: () => 0.99 }); // first probe ~1 s after (re)start
    await waitUntil(async () => (await agentB(d)).catalogChecks[1]?.Status === 'passing', { what: 'the check to pass' });
    const body = { NodeChecks: [], ServiceChecks: [{ ID: 'service:web' }] };
    const { ID } = (await d.callAgent('host-b', 'PUT', '/v1/session/create', body)).json<{ ID: string }>();
    await d.control.kill('host-b', { detectMs: 60_000 });
    await d.control.restart('host-b', { rejoinMs: 50 });
    await waitUntil(async () => (await d.control.state()).sessions.length === 0, { what: 'the startup sync' });
    expect((await agentB(d)).catalogChecks.map((c) => [c.CheckID, c.Status])).toEqual([['serfHealth', 'passing'], ['service:web', 'critical']]);
    expect((await d.call('GET', `/v1/session/info/${ID}`)).json()).toEqual([]);
  });

  it('P20: a graceful leave removes the node, its services, checks and ALL its sessions at once (lock-delay armed) and closes the port; a restart rejoins empty', async () => {
    const { d, url } = await setup();
    const { ID: locked } = (await d.callAgent('host-b', 'PUT', '/v1/session/create', { LockDelay: '15s' })).json<{ ID: string }>();
    const { ID: unbound } = (await d.callAgent('host-b', 'PUT', '/v1/session/create', { NodeChecks: [] })).json<{ ID: string }>();
    const { ID: kept } = (await d.callAgent('host-a', 'PUT', '/v1/session/create')).json<{ ID: string }>();
    await d.callAgent('host-b', 'PUT', `/v1/kv/lead?acquire=${locked}`, 'b');
    const state = await d.control.leave('host-b');
    expect(state.sessions.map((s) => s.ID)).toEqual([kept]);
    expect(state.sessions.map((s) => s.ID)).not.toContain(unbound);
    expect(state.kv[0]).toMatchObject({ Key: 'lead', Session: null, ModifyIndex: state.sessionsIndex });
    expect(state.lockDelays.lead).toBeGreaterThan(10_000);
    expect(state.agents[1]).toMatchObject({ process: 'left', serverView: 'left', serfHealth: null, catalogChecks: [], services: [] });
    expect((await d.call('GET', '/v1/health/service/web')).json()).toEqual([]);
    expect((await d.call('PUT', '/v1/session/create', { Node: 'host-b' })).text).toBe('rpc error making call: Missing node registration');
    expect(await refused(url)).toBe('ECONNREFUSED');
    await d.control.restart('host-b');
    await waitUntil(async () => (await agentB(d)).serfHealth === 'passing', { what: 'the rejoin' });
    expect((await agentB(d))).toMatchObject({ services: [], agentChecks: [], serverView: 'alive' });
  });

  it('control routes: unknown node 404, impossible transitions 409, bad delays 400', async () => {
    const { d } = await setup();
    await expect(d.control.partition('ghost')).rejects.toThrow('404');
    await expect(d.control.heal('host-b')).rejects.toThrow('409');
    await expect(d.control.restart('host-b')).rejects.toThrow('409');
    await expect(d.control.partition('host-b', { detectMs: -1 })).rejects.toThrow('400');
    await d.control.kill('host-b');
    await expect(d.control.partition('host-b')).rejects.toThrow('409');
  });
});
