import { describe, expect, it, jest } from '@jest/globals';
import { bound, FailoverScenario, TIMINGS as T } from '../support/failover-scenario.js';
import { failoverSuite } from '../support/failover-suite.js';
import { StopWaiting, waitUntil } from '../support/wait-until.js';

// Faults of Consul itself (consul-dev): unreachable (refused, or hanging) for 30 s, and a restart that
// loses every session, key, service and check. The leader must fence itself at its renew deadline,
// before Consul could hand the lock to anyone (rule 2); everyone stays up and retries (rule 6).
jest.setTimeout(180_000);

const OUTAGE_MS = 30_000;

/**
 * A 30 s outage: the leader keeps serving until its renew deadline (7.5 s after its last confirmed
 * renew, which is at most one renew interval, 3.3 s, before the outage), then nobody can lead until
 * Consul is back. After that: the next acquisition retry (1 s), a check that passes again (1 period),
 * the acquire, activation and HAProxy's next probe.
 */
const outageBound = () =>
  bound(
    ['outage', OUTAGE_MS],
    ['minus the shortest time the leader keeps serving (deadline - renew interval)', -(T.renewDeadlineMs - Math.floor(T.sessionTtlMs / 3))],
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

  /** The outage in two halves: the leader fences at its renew deadline, then nobody leads until the end. */
  async function throughOutage(start: () => Promise<unknown>, end: () => Promise<unknown>, what: string): Promise<void> {
    const s = suite.scenario!;
    const old = await s.leader();
    const load = s.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    await start();
    const outageAt = Date.now();
    const until = outageAt + OUTAGE_MS;
    await waitUntil(async () => !(await old.isActiveLeader()) || undefined, { timeoutMs: T.renewDeadlineMs + 2_000, intervalMs: 50, what: 'the leader fencing itself' });
    const fencedAfter = Date.now() - outageAt;
    process.stdout.write(`[e2e] ${what}: the leader fenced itself ${fencedAfter} ms into the outage (renew deadline ${T.renewDeadlineMs} ms)\n`);
    expect(fencedAfter).toBeLessThanOrEqual(T.renewDeadlineMs + T.marginMs);
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
    expect(old.process.output()).toMatch(/leader -> deactivating: demoting: lock not confirmed within the renew deadline/);
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
