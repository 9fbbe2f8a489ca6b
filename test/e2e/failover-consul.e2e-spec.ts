import { describe, expect, it, jest } from '@jest/globals';
import { bound, FailoverScenario, TIMINGS as T } from '../support/failover-scenario.js';
import { failoverSuite } from '../support/failover-suite.js';
import { StopWaiting, waitUntil } from '../support/wait-until.js';

// Faults of Consul itself (consul-dev): unreachable (refused, or hanging) for 30 s, and a restart that
// loses every session, key, service and check. The leader must stop acting when its lease lapses (no
// proof of ownership, rule 9) and demote at its renew deadline, before Consul could hand the lock to
// anyone (rule 2); everyone stays up and retries (rule 6).
jest.setTimeout(180_000);

const OUTAGE_MS = 30_000;

/**
 * A 30 s outage: the leader keeps serving until its lease lapses (1.67 s after its last proof, which is
 * at most one prove interval, lease / 3, before the outage), then nobody can lead until Consul is back.
 * After that: the next acquisition retry (1 s), a check that passes again (1 period), the acquire,
 * activation and HAProxy's next probe.
 */
const outageBound = () =>
  bound(
    ['outage', OUTAGE_MS],
    ['minus the shortest time the leader keeps serving (lease - prove interval)', -(T.leaseMs - Math.floor(T.leaseMs / 3))],
    ['retry', T.lockAcquisitionDelayMs],
    ['check period', T.healthCheckPeriodMs],
    ['activation', T.activationAllowanceMs],
    ['proxy probe', T.proxyDetectMs],
    ['request timeout', T.requestTimeoutMs],
    ['margin', T.marginMs],
  );

/** Consul lost its state: every instance registers again, its check must pass once, then the race. */
const resetBound = () =>
  bound(['retry', T.lockAcquisitionDelayMs], ['check period', T.healthCheckPeriodMs], ['check-status poll', T.healthCheckPeriodMs], ['activation', T.activationAllowanceMs], ['proxy probe', T.proxyDetectMs], ['margin', T.marginMs]);

describe('failover e2e: Consul faults', () => {
  const suite = failoverSuite({
    beforeDispose: async (scenario) => {
      await scenario.cluster.consul.control.clearFaults().catch(() => undefined);
      await scenario.cluster.consul.control.resumeApi().catch(() => undefined);
    },
  });

  /** The outage in two halves: the leader stops acting at its lease, then nobody leads until the end. */
  async function throughOutage(start: () => Promise<unknown>, end: () => Promise<unknown>, what: string): Promise<void> {
    const s = suite.scenario!;
    const old = await s.leader();
    const load = s.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    await start();
    const outageAt = Date.now();
    const until = outageAt + OUTAGE_MS;
    await waitUntil(async () => !(await old.isActiveLeader()) || undefined, { timeoutMs: T.leaseMs + 2_000, intervalMs: 50, what: 'the leader stopping to act' });
    const fencedAfter = Date.now() - outageAt;
    process.stdout.write(`[e2e] ${what}: the leader stopped acting ${fencedAfter} ms into the outage (lease ${T.leaseMs} ms)\n`);
    expect(fencedAfter).toBeLessThanOrEqual(T.leaseMs + T.marginMs);
    // nobody may lead for the rest of the outage: nobody can confirm a lock
    await waitUntil(
      async () => {
        const leaders = await s.cluster.leaders();
        if (leaders.length > 0) throw new StopWaiting(`:${leaders[0]!.port} leads while Consul is unreachable`);
        return Date.now() >= until || undefined;
      },
      { timeoutMs: OUTAGE_MS + 10_000, intervalMs: 200, what: 'the end of the outage' },
    );
    await s.operatorView(old, `${what}, at the end of the outage`);
    await end();
    await s.finish(outageBound());
    // it stops acting when its lease lapses (no proof), then demotes at its renew deadline (rules 9 and 2)
    expect(old.process.output()).toMatch(/leader: lease lapsed: not acting until ownership is proven again/);
    expect(old.process.output()).toMatch(/leader -> deactivating: demoting: lock not renewed within the renew deadline/);
    expect(old.process.hasExited).toBe(false); // rule 6: never crash
  }

  it('consul-dev unreachable (connection refused) for 30 s, then back', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'consul unreachable 30 s (refused)', es: suite.es });
    const { control } = suite.scenario.cluster.consul;
    await throughOutage(() => control.stopApi(), () => control.resumeApi(), 'consul refused');
  });

  it('consul-dev hanging (connections open, no answer) for 30 s, then back', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'consul unreachable 30 s (hanging)', es: suite.es });
    const { control } = suite.scenario.cluster.consul;
    await throughOutage(() => control.hang(), () => control.releaseHang(), 'consul hanging');
  });

  it('consul-dev reset to empty state with the index going backwards: the leader demotes, everyone re-registers, one leads again', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'consul reset (index backwards)', es: suite.es });
    const old = await suite.scenario.leader();
    const before = await suite.scenario.cluster.consul.control.state();
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    const after = await suite.scenario.cluster.consul.control.reset(10);
    expect(after.index).toBeLessThan(before.index);
    await waitUntil(async () => !(await old.isActiveLeader()) || undefined, { timeoutMs: 10_000, what: 'the leader demoting' });
    await suite.scenario.finish(resetBound(), { termsMayRestart: true });
    expect(old.process.output()).toMatch(/leader -> deactivating: demoting: lock is no longer ours/);
    const services = (await suite.scenario.cluster.consul.control.state()).services.filter((s) => s.Service === 'a4c');
    expect(services).toHaveLength(3); // every instance registered itself again
  });

  it('consul-dev restarted on the same port (a real restart, empty state): one leads again', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'consul restarted (empty state)', es: suite.es });
    const old = await suite.scenario.leader();
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    await suite.scenario.cluster.restartConsul();
    await waitUntil(async () => !(await old.isActiveLeader()) || (await suite.scenario!.cluster.consul.control.state()).kv.length > 0 || undefined, {
      timeoutMs: 15_000,
      what: 'the old term ending or a new lock',
    });
    await suite.scenario.finish(resetBound(), { termsMayRestart: true });
    const services = (await suite.scenario.cluster.consul.control.state()).services.filter((s) => s.Service === 'a4c');
    expect(services).toHaveLength(3);
  });
});
