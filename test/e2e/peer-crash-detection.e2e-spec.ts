import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { A4cCluster, type A4cInstance } from '../support/a4c-cluster.js';
import { waitUntil } from '../support/wait-until.js';

// docs/architecture.md rule 14: a crashed leader is replaced without waiting for Consul's check. Real
// processes on consul-dev at the default check period (5 s): the backups watch the leader, prove its
// crash by a refused connection and free its lock; a frozen leader (no refusal) stays with Consul.
jest.setTimeout(240_000);

const PERIOD_S = 5;

async function actingLeader(cluster: A4cCluster, timeoutMs: number, what: string, intervalMs = 10): Promise<A4cInstance> {
  return waitUntil(async () => (await cluster.leaders())[0], { timeoutMs, intervalMs, what });
}

/** Until every live backup has its watch open on the leader (its first key read after the election). */
async function watchersReady(cluster: A4cCluster, leader: A4cInstance): Promise<void> {
  await waitUntil(
    async () => {
      const statuses = await Promise.all(cluster.live().filter((i) => i !== leader).map((i) => i.status()));
      return statuses.every((s) => s.leader?.id === leader.instanceId) || undefined;
    },
    { timeoutMs: 20_000, what: 'the backups seeing the leader' },
  );
}

describe(`e2e: crash detection by peers (consul-dev, check period ${PERIOD_S} s)`, () => {
  let cluster: A4cCluster | undefined;

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('leader SIGKILL, 3 rounds (restarted at once in the even ones): a new acting leader well within one check period, freed by a peer', async () => {
    cluster = await A4cCluster.start({ healthCheckPeriodInSecond: PERIOD_S, consulSessionTTLInSecond: 20 });
    for (let n = 0; n < 3; n++) await cluster.addInstance();
    const figures: number[] = [];
    for (let round = 1; round <= 3; round++) {
      const old = await actingLeader(cluster, 30_000, 'an acting leader');
      await watchersReady(cluster, old);
      await old.process.stop('SIGKILL');
      const killedAt = Date.now();
      const restart = round % 2 === 0 ? cluster.addInstance({ port: old.port, agent: old.agent }) : null;
      const next = await actingLeader(cluster, 30_000, 'an acting leader after the kill');
      const ms = Date.now() - killedAt;
      figures.push(ms);
      await restart;
      const freed = (i: A4cInstance) => i.lines.some((l) => l.at >= killedAt && l.text.includes(`refuses connections at ${old.url}`) && /lock freed by/.test(l.text));
      const freedBy = cluster.instances.find(freed);
      process.stdout.write(`[e2e] round ${round}: ${next.instanceId} acts ${ms} ms after SIGKILL of ${old.instanceId}${restart ? ' (restarted at once)' : ''}; freed by ${freedBy?.instanceId ?? 'nobody (Consul)'}\n`);
      expect(freedBy).toBeDefined();
    }
    // Consul's check alone: up to one period (5 s) + activation; a peer's proof: the activation only
    for (const ms of figures) expect(ms).toBeLessThan(PERIOD_S * 1000);
  });

  it('leader SIGSTOP (no refusal): nobody frees the lock; Consul\'s check and the lease decide, one acting leader at a time', async () => {
    cluster = await A4cCluster.start({ healthCheckPeriodInSecond: PERIOD_S, consulSessionTTLInSecond: 20 });
    for (let n = 0; n < 2; n++) await cluster.addInstance();
    const old = await actingLeader(cluster, 30_000, 'an acting leader');
    await watchersReady(cluster, old);
    old.signal('SIGSTOP');
    const next = await actingLeader(cluster, 60_000, 'an acting leader after the freeze', 50);
    expect(next).not.toBe(old);
    old.signal('SIGCONT');
    await waitUntil(async () => (await old.status()).role === 'backup' || undefined, { timeoutMs: 20_000, what: 'the frozen leader back as backup' });
    expect(cluster.live().some((i) => /lock freed by/.test(i.process.output()))).toBe(false);
    expect(await cluster.leaders()).toEqual([next]);
  });
});
