import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startConsulDev, type ConsulDevServer } from '../../../../apps/consul-dev/src/consul-dev-server.js';
import { startHealthEndpoint, type HealthEndpoint } from '../../../../test/support/health-endpoint.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { ConsulClientAdapter } from './consul-client.adapter.js';
import { ConsulUnavailableError } from './consul-errors.js';

const KEY = 'service/a4c/leader';

/**
 * What the elector sees through its own agent when that agent is cut off from the servers
 * (docs/consul-behaviour.md §12.2-12.4), against consul-dev with one agent per host over real HTTP.
 */
describe('ConsulClientAdapter through a partitioned agent (one consul-dev agent per host)', () => {
  let consul: ConsulDevServer | undefined;
  const adapters: ConsulClientAdapter[] = [];
  let health: HealthEndpoint;

  beforeAll(async () => {
    health = await startHealthEndpoint();
  });
  afterAll(() => health.close());
  afterEach(async () => {
    for (const a of adapters.splice(0)) a.close();
    await consul?.close();
    consul = undefined;
  });

  const through = (port: number) => {
    const adapter = new ConsulClientAdapter({ host: '127.0.0.1', port, requestTimeoutMs: 2_000, blockingReadTimeoutMs: 10_000 });
    adapters.push(adapter);
    return adapter;
  };

  it('fact 21, P4, P13, P17: a cut-off leader cannot prove ownership, the servers free its key, and its session never comes back', async () => {
    consul = await startConsulDev({
      agents: ['host-a', 'host-b'],
      timings: { detectMs: 400, rejoinMs: 100, keepaliveMs: 0, dialTimeoutMs: 100, noServersMs: 60_000, inFlightFailMs: 300 },
    });
    const [hostA, hostB] = consul.agents;
    const a = through(hostA!.port);
    const b = through(hostB!.port);
    await a.registerService({ id: 'a4c-a', name: 'a4c', address: '127.0.0.1', port: 8088, checkId: 'service:a4c-a', checkUrl: health.url, checkIntervalMs: 1_000, checkTimeoutMs: 1_000, tlsSkipVerify: false });
    await waitUntil(async () => (await a.checkStatus('service:a4c-a')) === 'passing', { what: 'check passing' });
    const session = await a.createSession({ name: 'a4c-leader-a', serviceCheckIds: ['service:a4c-a'], ttlSeconds: 60, lockDelaySeconds: 0 });
    expect(await a.acquire(KEY, session, '{"id":"a","url":"http://a"}')).toBe(true);
    expect((await a.readKey(KEY, { consistent: true })).entry?.session).toBe(session); // proven

    consul.cluster.partition('host-a');
    // the local agent still answers its own endpoints, but nothing forwarded to the servers works (P1, P4)
    expect(await a.checkStatus('service:a4c-a')).toBe('passing');
    await expect(a.readKey(KEY, { consistent: true })).rejects.toBeInstanceOf(ConsulUnavailableError);
    await expect(a.renewSession(session)).rejects.toThrow(/rpc error/);
    // the servers mark host-a failed and invalidate its session: the key is free, the value left as it was (P13)
    await waitUntil(async () => (await b.readKey(KEY, { consistent: true })).entry?.session === null, { timeoutMs: 5_000, what: 'the key freed' });
    expect((await b.readKey(KEY)).entry).toMatchObject({ session: null, value: '{"id":"a","url":"http://a"}' });

    consul.cluster.heal('host-a');
    // once rejoined, the old session is gone for good: renew says so, and the key is not ours (P17)
    await waitUntil(async () => (await a.renewSession(session).catch(() => undefined)) === false, { timeoutMs: 5_000, what: 'renew answering 404' });
    expect((await a.readKey(KEY, { consistent: true })).entry?.session).toBeNull();
  });
});
