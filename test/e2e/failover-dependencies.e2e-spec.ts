import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { makeClusterGreen, makeClusterRed, waitForClusterStatus } from '../support/elasticsearch-node.js';
import { bound, FailoverScenario, TIMINGS as T } from '../support/failover-scenario.js';
import { failoverSuite } from '../support/failover-suite.js';
import { canMountTmpfs, mountTmpfs, type Tmpfs } from '../support/tmpfs.js';
import { StopWaiting, waitUntil } from '../support/wait-until.js';

// Faults of what the leader depends on: Elasticsearch (red, stopped) and its disk. The health route
// turns 503, Consul's check goes critical, the session dies, the leader steps down; rule 8 keeps every
// instance out of the race while its own health is down.
jest.setTimeout(180_000);

/** While the fault lasts, no instance may lead: checked continuously for a few check periods. */
async function expectNobodyLeadsFor(scenario: FailoverScenario, ms: number): Promise<void> {
  const until = Date.now() + ms;
  await waitUntil(
    async () => {
      const leaders = await scenario.cluster.leaders();
      if (leaders.length > 0) throw new StopWaiting(`:${leaders[0]!.port} leads during the fault`);
      return Date.now() >= until || undefined;
    },
    { timeoutMs: ms + 10_000, intervalMs: 100, what: 'a leaderless window' },
  );
}

/** Recovery after a dependency comes back: next check period, acquire retry, activation, proxy probe. */
const recoveryBound = (faultMs: number) =>
  bound(
    ['fault', faultMs],
    ['check period', T.healthCheckPeriodMs],
    ['acquire retry', T.lockAcquisitionDelayMs],
    ['activation', T.activationAllowanceMs],
    ['proxy probe', T.proxyDetectMs],
    ['request timeout', T.requestTimeoutMs],
    ['margin', T.marginMs],
  );

describe('failover e2e: Elasticsearch and disk faults', () => {
  let tmpfs: Tmpfs | undefined;
  const suite = failoverSuite({
    afterDispose: async () => {
      tmpfs?.unmount();
      tmpfs = undefined;
      if (!suite.es.running) await suite.es.restart(); // a failed ES scenario must not break the next one
    },
  });

  it('Elasticsearch red: the leader steps down, nobody leads while red, leadership returns when green', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'Elasticsearch red', es: suite.es });
    const old = await suite.scenario.leader();
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    const faultAt = Date.now();
    const redIndex = `${suite.scenario.indexPrefix}red`;
    await makeClusterRed(suite.es.url, redIndex);
    await waitUntil(async () => (await suite.scenario!.cluster.leaders()).length === 0 || undefined, { timeoutMs: 15_000, what: 'the leader stepping down' });
    process.stdout.write(`[e2e] Elasticsearch red: leader stepped down ${Date.now() - faultAt} ms after the index was created\n`);
    await expectNobodyLeadsFor(suite.scenario, 3 * T.healthCheckPeriodMs);
    await suite.scenario.operatorView(old, 'while red');
    await makeClusterGreen(suite.es.url, redIndex);
    const faultMs = Date.now() - faultAt;
    await suite.scenario.finish(recoveryBound(faultMs));
    expect(old.process.output()).toMatch(/elasticsearch down \(red\)/);
  });

  it('Elasticsearch stopped: the leader steps down, nobody leads while it is down, leadership returns after restart', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'Elasticsearch stopped', es: suite.es });
    const old = await suite.scenario.leader();
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    const faultAt = Date.now();
    await suite.es.stop();
    await waitUntil(async () => (await suite.scenario!.cluster.leaders()).length === 0 || undefined, { timeoutMs: 15_000, what: 'the leader stepping down' });
    process.stdout.write(`[e2e] Elasticsearch stopped: leader stepped down ${Date.now() - faultAt} ms after the stop\n`);
    await expectNobodyLeadsFor(suite.scenario, 3 * T.healthCheckPeriodMs);
    await suite.scenario.operatorView(old, 'while Elasticsearch is stopped');
    await suite.es.restart();
    await waitForClusterStatus(suite.es.url, ['green', 'yellow'], 60_000);
    const faultMs = Date.now() - faultAt;
    await suite.scenario.finish(recoveryBound(faultMs));
  });

  (canMountTmpfs() ? it : it.skip)('disk below the threshold on the leader (a real tmpfs filled up): it steps down and stays out until space is back', async () => {
    // Each instance has its own alien folder on the shared directory; the first one's is a 8 MiB tmpfs
    // with a 4 MiB threshold, so filling 6 MiB crosses it for real (statfs, no faking).
    const threshold = 4 * 1024 * 1024;
    const lockDelayMs = 4_000;
    expect(lockDelayMs).toBeGreaterThan(T.drainTimeoutMs + T.closeAllowanceMs);
    suite.scenario = await FailoverScenario.start({
      name: 'disk threshold crossed on the leader',
      es: suite.es,
      firstLeads: true,
      // A forced demotion (Consul invalidates the session) frees the key at once with lock-delay 0, while
      // the old leader still drains in-flight requests and closes its graph (<= drain + close). A
      // lock-delay longer than that keeps successors out meanwhile: here the graphs must not overlap.
      cluster: { healthDiskSpaceThreshold: threshold, consulLockDelayInSecond: lockDelayMs / 1000 },
      instanceOptions: (n, cluster) => {
        const alienDir = join(cluster.sharedDir, `a4c-${n}`);
        if (n === 0) {
          const mounted = mountTmpfs(alienDir, 2 * threshold);
          tmpfs = mounted;
          cluster.addCleanup(() => mounted.unmount()); // before the cluster removes its directory
        }
        return { alienDir };
      },
    });
    const old = suite.scenario.cluster.instances[0]!;
    expect((await suite.scenario.leader()).port).toBe(old.port);
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    tmpfs!.fill(6 * 1024 * 1024);
    expect(tmpfs!.freeBytes()).toBeLessThan(threshold);
    const filledAt = Date.now();
    await waitUntil(async () => !(await old.isActiveLeader()) || undefined, { timeoutMs: 15_000, what: 'the full-disk leader stepping down' });
    const next = await suite.scenario.waitForStableLeader({ backupsWatching: false });
    expect(next.port).not.toBe(old.port);
    process.stdout.write(`[e2e] disk full: another instance leads ${Date.now() - filledAt} ms after the fill\n`);
    await suite.scenario.operatorView(old, 'disk below threshold');
    // still below the threshold: the old leader must not race (rule 8) while the others are healthy
    expect((await old.status()).role).toBe('backup');
    await suite.scenario.finish(
      bound(['check period', T.healthCheckPeriodMs], ['lock-delay', lockDelayMs], ['lock-delay retry', lockDelayMs], ['activation', T.activationAllowanceMs], ['proxy probe', T.proxyDetectMs], ['margin', T.marginMs]),
    );
    expect(old.process.output()).toMatch(/leader -> deactivating: demoting/);
    tmpfs!.empty();
    const health = await waitUntil(async () => ((await fetch(`${old.url}/rest/admin/health`)).status === 200) || undefined, { timeoutMs: 10_000, what: 'health up again' });
    expect(health).toBe(true);
  });
});
