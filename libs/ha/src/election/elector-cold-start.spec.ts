import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from '../testing/fake-clock.js';
import { InMemoryConsul } from '../testing/in-memory-consul.js';
import { makeInstance, PeerNetwork, testTimings, type TestInstance } from '../testing/election-harness.js';

const KEY = 'service/a4c/leader';
const { leaseMs, takeoverMarginMs } = testTimings;

/**
 * Rule 10 when the key names no predecessor (docs/architecture.md, "A cold start without the lease
 * wait"): the first holder asks every instance the catalog lists and acts at once when all refuse or
 * promise not to act; one that cannot answer keeps the lease wait; a key that vanished while this
 * process watched it (operator delete, Consul state loss) keeps the lease wait too.
 */
describe('Elector cold start (fake clock, in-memory consul)', () => {
  let clock: FakeClock;
  let consul: InMemoryConsul;
  let network: PeerNetwork;
  const started: TestInstance[] = [];

  function setup(): void {
    clock = new FakeClock();
    consul = new InMemoryConsul(clock);
    network = new PeerNetwork();
  }

  function instance(name: string): TestInstance {
    const i = makeInstance(consul, clock, name, {}, network);
    started.push(i);
    return i;
  }

  afterEach(async () => {
    // a "not acting" promise refuses proofs sent at the same instant (rule 10): on the fake clock a
    // successor elected at that very instant would prove in a loop, so let time move first
    await clock.advance(1);
    for (const i of started.splice(0)) {
      const stopping = i.elector.stop();
      await clock.advance(0);
      await stopping;
    }
  });

  /** Starts them all, passes their checks together and returns when the first transition to leader or after `ms`. */
  async function startTogether(instances: TestInstance[], ms: number): Promise<void> {
    for (const i of instances) i.elector.start();
    await clock.advance(0);
    for (const i of instances) consul.setCheck(i.checkId, 'passing');
    await clock.advance(ms);
  }

  const acting = (instances: TestInstance[]) => instances.filter((i) => i.term.mayAct()).map((i) => i.elector.leader?.id);

  it('a fresh cluster of three: the first holder acts as soon as the two others say they do not act', async () => {
    setup();
    const all = ['a', 'b', 'c'].map(instance);
    await startTogether(all, 1_000);
    expect(acting(all)).toHaveLength(1);
    const leader = all.find((i) => i.term.mayAct())!;
    expect(leader.transitions.find((t) => t.to === 'leader')?.reason).toMatch(/^takeover safe: every other instance the catalog lists refuses connections or says it is not acting \(\w, \w\): leading term 1$/);
    expect(clock.now() - 1_000_000).toBeLessThan(leaseMs);
  });

  it('whole-cluster restart: the old processes are gone (refused) and the key was deleted: acts at once', async () => {
    setup();
    for (const gone of ['x', 'y']) {
      await consul.registerService({ id: `a4c-${gone}`, name: 'a4c', address: '127.0.0.1', port: 9000, checkId: `service:a4c-${gone}`, checkUrl: 'x', checkIntervalMs: 1_000, checkTimeoutMs: 1_000, tlsSkipVerify: false });
      network.dead.add(gone);
    }
    const a = instance('a');
    await startTogether([a], 1_000);
    expect(a.term.mayAct()).toBe(true);
  });

  it('one listed instance cannot answer (frozen, cut off): the lease wait stays', async () => {
    setup();
    const a = instance('a');
    const b = instance('b');
    network.unreachable.add('b');
    network.unreachable.add('a');
    await startTogether([a, b], 1_000);
    const holder = [a, b].find((i) => i.elector.current.kind === 'activating')!;
    expect(holder.term.mayAct()).toBe(false);
    expect(holder.transitions.at(-1)?.reason).toMatch(/asking every instance the catalog lists \(or waiting out a possible holder's lease\)/);
    await clock.advance(leaseMs + takeoverMarginMs);
    expect(acting([a, b])).toEqual([holder.elector.leader?.id]);
  });

  it('a key that vanished while this process watched it (operator delete): no catalog shortcut, the lease wait stays', async () => {
    setup();
    const a = instance('a');
    const b = instance('b');
    await startTogether([a], 1_000);
    await startTogether([b], 1_000);
    expect(acting([a, b])).toEqual(['a']);
    consul.operatorWrite(KEY, null);
    const deletedAt = clock.now();
    // step by step: a demotes at once (rule 1); whoever takes the key next acts only after the lease wait
    let actingAgainAt: number | null = null;
    let seenNobody = false;
    while (clock.now() - deletedAt < leaseMs + takeoverMarginMs + 2_000) {
      await clock.advance(50);
      const now = acting([a, b]);
      expect(now.length).toBeLessThanOrEqual(1);
      if (now.length === 0) seenNobody = true;
      if (seenNobody && now.length === 1 && actingAgainAt === null) actingAgainAt = clock.now();
    }
    expect(actingAgainAt).not.toBeNull();
    expect(actingAgainAt! - deletedAt).toBeGreaterThanOrEqual(leaseMs + takeoverMarginMs);
    const holder = [a, b].find((i) => i.term.mayAct())!;
    expect(holder.transitions.find((t) => /the key did not exist/.test(t.reason))?.reason).toMatch(/: waiting out a possible holder's lease$/);
  });
});
