import { describe, expect, it, jest } from '@jest/globals';
import type { A4cInstance } from '../support/a4c-cluster.js';
import { bound, FailoverScenario, TIMINGS as T } from '../support/failover-scenario.js';
import { failoverSuite } from '../support/failover-suite.js';
import { waitUntil } from '../support/wait-until.js';

// Planned operations under load: scaling out and back in, and a rolling restart of every instance.
// Each leader change is a clean handover (SIGTERM), so full graphs must never overlap.
jest.setTimeout(180_000);

/** One clean handover: drain + close + release, the successor's watch fires, activation, next probe. */
const handoverBound = () => bound(['drain+close', T.drainTimeoutMs + T.closeAllowanceMs], ['activation', T.activationAllowanceMs], ['proxy probe', T.proxyDetectMs], ['margin', T.marginMs]);

describe('failover e2e: scaling and rolling restart', () => {
  const suite = failoverSuite();

  async function stopGracefully(instance: A4cInstance): Promise<void> {
    instance.signal('SIGTERM');
    expect(await instance.process.exited()).toBe(0);
  }

  it('scale out from 2 to 5 instances and back to 2 (the leader among those removed)', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'scale 2 -> 5 -> 2', es: suite.es, instances: 2 });
    const { cluster, haproxy } = suite.scenario;
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });

    for (let n = 0; n < 3; n++) await cluster.addInstance();
    await haproxy.setBackends(cluster.live().map((i) => i.port));
    const leader = await suite.scenario.waitForStableLeader();
    expect(cluster.live()).toHaveLength(5);

    // back to 2: remove the leader and two backups; the two that stay are backups now
    const stays = cluster.live().filter((i) => i !== leader).slice(0, 2);
    const removed = cluster.live().filter((i) => !stays.includes(i));
    for (const instance of removed.filter((i) => i !== leader)) await stopGracefully(instance);
    await stopGracefully(leader);
    await haproxy.setBackends(stays.map((i) => i.port));
    const next = await suite.scenario.waitForStableLeader();
    expect(stays).toContain(next);
    await suite.scenario.finish(handoverBound());
  });

  it('rolling restart of every instance (backups first, the leader last)', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'rolling restart', es: suite.es });
    const { cluster } = suite.scenario;
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    const leader = await suite.scenario.leader();
    const order = [...cluster.live().filter((i) => i !== leader), leader];
    for (const instance of order) {
      await stopGracefully(instance);
      // same port (HAProxy's server line stays valid) and so the same instance id
      const restarted = await cluster.addInstance({ port: instance.port });
      expect(restarted.instanceId).toBe(instance.instanceId);
      await suite.scenario.waitForStableLeader();
    }
    expect(cluster.live().map((i) => i.port).sort()).toEqual(order.map((i) => i.port).sort());
    await suite.scenario.finish(handoverBound());
  });
});
