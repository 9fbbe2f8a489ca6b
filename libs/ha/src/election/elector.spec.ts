import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from '../testing/fake-clock.js';
import { InMemoryConsul } from '../testing/in-memory-consul.js';
import { makeInstance, PeerNetwork, type TestInstance } from '../testing/election-harness.js';

const KEY = 'service/a4c/leader';
/** Lease + takeover margin of the harness timings, plus one proof interval. */
const COLD_START_WAIT_MS = 4_000 + 400 + 1_000;

describe('Elector scenarios (fake clock, in-memory consul)', () => {
  let clock: FakeClock;
  let consul: InMemoryConsul;
  const started: TestInstance[] = [];

  function instance(name: string, timings = {}): TestInstance {
    const i = makeInstance(consul, clock, name, timings);
    started.push(i);
    return i;
  }

  async function startPassing(...instances: TestInstance[]): Promise<void> {
    for (const i of instances) i.elector.start();
    await clock.advance(0);
    for (const i of instances) consul.setCheck(i.checkId, 'passing');
    await clock.advance(1_000);
  }

  /** startPassing, then past the first leader's wait: with no key yet, a holder may act only after a lease (rule 10). */
  async function startLeading(...instances: TestInstance[]): Promise<void> {
    await startPassing(...instances);
    await clock.advance(COLD_START_WAIT_MS);
  }

  const kind = (i: TestInstance) => i.elector.current.kind;

  beforeEachSetup();
  function beforeEachSetup() {
    afterEach(async () => {
      for (const i of started.splice(0)) {
        const stopping = i.elector.stop();
        await clock.advance(0);
        await stopping;
      }
    });
  }

  function setup() {
    clock = new FakeClock();
    consul = new InMemoryConsul(clock);
  }

  it('registers, waits for its check to pass, then leads with term 1', async () => {
    setup();
    const a = instance('a');
    a.elector.start();
    await clock.advance(5_000);
    expect(kind(a)).toBe('backup');
    expect(consul.services.has('a4c-a')).toBe(true);
    expect(consul.calls.filter((c) => c.startsWith('createSession'))).toHaveLength(0);
    consul.setCheck(a.checkId, 'passing');
    await clock.advance(1_000);
    // rule 10: nobody held the key before, so a partitioned old holder cannot be ruled out: wait a lease
    expect(kind(a)).toBe('activating');
    expect(a.graph.up).toBe(true); // the full graph boots meanwhile
    expect(a.term.mayAct()).toBe(false);
    await clock.advance(COLD_START_WAIT_MS);
    expect(kind(a)).toBe('leader');
    expect(a.term.mayAct()).toBe(true);
    expect(a.graph.contexts[0]?.term).toBe(1);
    expect(JSON.parse(consul.entry(KEY)!.value!)).toMatchObject({ id: 'a', term: 1, url: 'http://127.0.0.1:8088' });
    expect(a.transitions.filter((t) => t.from !== t.to).map((t) => t.to)).toEqual(['acquiring', 'activating', 'leader']);
    expect(a.transitions[0]?.reason).toBe('waiting for the consul check to pass: service:a4c-a is critical');
  });

  it('two instances elect exactly one leader; the other watches the key', async () => {
    setup();
    const a = instance('a');
    const b = instance('b');
    await startLeading(a, b);
    await clock.advance(60_000);
    const kinds = [kind(a), kind(b)].sort();
    expect(kinds).toEqual(['acquiring', 'leader']);
    const [leader, other] = kind(a) === 'leader' ? [a, b] : [b, a];
    expect(other.elector.leader).toMatchObject({ id: leader === a ? 'a' : 'b', term: 1 }); // read from the key's value
    expect([a.graph.up, b.graph.up].filter(Boolean)).toHaveLength(1);
  });

  it('rule 1: the watch shows another holder while we lead -> deactivate at once', async () => {
    setup();
    const a = instance('a');
    await startLeading(a);
    expect(kind(a)).toBe('leader');
    consul.operatorWrite(KEY, { session: 'intruder', value: null });
    await clock.advance(0);
    expect(a.graph.up).toBe(false);
    expect(a.transitions.find((t) => t.to === 'deactivating')?.reason).toBe('demoting: lock held by session intruder');
    expect(a.graph.contexts[0]!.signal.aborted).toBe(true);
  });

  it('rule 1: our session invalidated by a critical check -> deactivate, another instance leads', async () => {
    setup();
    const a = instance('a');
    const b = instance('b');
    await startLeading(a, b);
    const [leader, other] = kind(a) === 'leader' ? [a, b] : [b, a];
    consul.setCheck(leader.checkId, 'critical');
    await clock.advance(1_000);
    expect(leader.graph.up).toBe(false);
    expect(kind(other)).toBe('leader');
    expect(other.graph.contexts[0]!.term).toBe(2);
  });

  it('rule 2: renewals fail until the deadline -> the leader deactivates at the deadline, not before', async () => {
    setup();
    const a = instance('a');
    await startPassing(a); // the session is created and the lock taken now; the keeper renews 5 s later
    const lastRenewAt = clock.now() + 5_000;
    await clock.advance(5_500);
    consul.failing.add('renewSession');
    await clock.advance(lastRenewAt + 10_000 - clock.now() - 1);
    expect(kind(a)).toBe('leader');
    await clock.advance(2);
    expect(a.graph.up).toBe(false);
    expect(a.transitions.find((t) => t.to === 'deactivating')?.reason).toBe('demoting: lock not renewed within the renew deadline (10000 ms)');
    expect(a.errors.filter((e) => e.startsWith('renew')).length).toBeGreaterThan(1);
  });

  it('rule 5: an acquire refused during lock-delay is retried after the delay', async () => {
    setup();
    const a = instance('a', { lockDelayMs: 5_000 });
    const b = instance('b', { lockDelayMs: 5_000 });
    await startLeading(a, b);
    const [leader, other] = kind(a) === 'leader' ? [a, b] : [b, a];
    consul.setCheck(leader.checkId, 'critical');
    await clock.advance(4_900);
    expect(kind(other)).toBe('acquiring');
    expect(other.transitions.some((t) => t.reason.includes('lock-delay'))).toBe(true);
    await clock.advance(200);
    expect(kind(other)).toBe('leader');
  });

  it('rule 3: activation throws -> release, back off, let another instance lead', async () => {
    setup();
    const a = instance('a');
    a.graph.mode = 'throw';
    await startPassing(a);
    expect(kind(a)).toBe('backup');
    expect(consul.entry(KEY)?.session).toBeNull();
    expect(a.transitions.find((t) => t.to === 'deactivating')?.reason).toBe('activation failed: bean creation failed');
    // a released cleanly (rule 4), but it had not yet waited out the unknown holder a missing key stands
    // for: its value says so (takeoverPending), so b waits out that lease instead of acting at once (rule 10)
    expect(JSON.parse(consul.entry(KEY)?.value ?? '{}')).toMatchObject({ id: 'a', released: true, takeoverPending: expect.stringContaining('the key did not exist') });
    const b = instance('b');
    await startPassing(b);
    expect(kind(b)).toBe('activating');
    await clock.advance(COLD_START_WAIT_MS);
    expect(kind(b)).toBe('leader');
    expect(kind(a)).toBe('backup'); // still backing off
  });

  it('rule 10 carried over: a holder that lost the key before its takeover was safe cannot vouch for the holder before it', async () => {
    setup();
    const peers = new PeerNetwork();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => makeInstance(consul, clock, name, {}, peers)) as [TestInstance, TestInstance, TestInstance];
    started.push(a, b, c);
    await startLeading(a);
    await startPassing(b, c);
    expect([kind(a), kind(b), kind(c)]).toEqual(['leader', 'acquiring', 'acquiring']);
    peers.unreachable.add('a'); // a is frozen: it answers no probe, and its lease still runs
    consul.setCheck(a.checkId, 'critical'); // ... and its check failed, so the key is free
    await clock.advance(100);
    const holder = kind(b) === 'activating' ? b : c;
    const other = holder === b ? c : b;
    expect(kind(holder)).toBe('activating'); // waiting for a, which does not answer
    consul.setCheck(holder.checkId, 'critical'); // the new holder loses the key before its takeover was safe
    await clock.advance(100);
    expect(kind(other)).toBe('activating');
    // asked, the first holder would say "not acting"; but its value says it never cleared a: wait the lease
    expect(other.transitions.at(-1)?.reason).toContain('had not yet proven that the holder before it stopped');
    await clock.advance(COLD_START_WAIT_MS);
    expect(kind(other)).toBe('leader');
  });

  it('rule 3: activation outlives its timeout -> deactivated and released; never reported leader', async () => {
    setup();
    const a = instance('a', { activationTimeoutMs: 30_000 });
    a.graph.mode = 'hang';
    await startPassing(a);
    expect(kind(a)).toBe('activating');
    await clock.advance(29_000);
    expect(kind(a)).toBe('activating');
    await clock.advance(1_000);
    expect(kind(a)).toBe('backup');
    expect(a.transitions.some((t) => t.to === 'leader')).toBe(false);
    expect(a.transitions.find((t) => t.to === 'deactivating')?.reason).toBe('activation failed: timed out after 30000 ms');
    expect(consul.entry(KEY)?.session).toBeNull();
  });

  it('step-down: the leader hands over and stays out for the hold-off', async () => {
    setup();
    const a = instance('a');
    const b = instance('b');
    await startLeading(a, b);
    const [leader, other] = kind(a) === 'leader' ? [a, b] : [b, a];
    expect(other.elector.stepDown()).toBe(false);
    expect(leader.elector.stepDown()).toBe(true);
    await clock.advance(100);
    expect(kind(other)).toBe('leader'); // the value says "released": the successor acts at once (rule 10)
    expect(other.term.mayAct()).toBe(true);
    expect(JSON.parse(consul.entry(KEY)!.value!)).toMatchObject({ id: other === a ? 'a' : 'b' });
    expect(leader.graph.up).toBe(false);
    const i = consul.calls.indexOf(`${leader === a ? 'a' : 'b'}:deactivate`);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(consul.calls.indexOf(`release ${KEY}`)).toBeGreaterThan(i);
    const out = leader.transitions.find((t) => t.to === 'backup' && t.from === 'deactivating');
    expect(out?.reason).toBe('full graph closed: back to backup');
    consul.setCheck(other.checkId, 'critical'); // the new leader fails during the hold-off...
    await clock.advance(19_000);
    expect(kind(leader)).toBe('backup'); // ...and the one that stepped down still stays out
    await clock.advance(2_000);
    expect(kind(leader)).toBe('leader');
  });

  it('rule 6: consul unreachable at start -> stays backup, retries every lockAcquisitionDelay, then leads', async () => {
    setup();
    consul.failing.add('*');
    const a = instance('a');
    a.elector.start();
    await clock.advance(0);
    expect(kind(a)).toBe('backup');
    await clock.advance(40_000);
    expect(consul.calls.filter((c) => c.startsWith('registerService'))).toHaveLength(3); // t=0, 20 s, 40 s
    expect(a.errors.length).toBeGreaterThan(0);
    expect(a.transitions.filter((t) => t.reason.startsWith('consul unavailable'))).toHaveLength(1); // said once
    consul.failing.clear();
    await clock.advance(20_000);
    consul.setCheck(a.checkId, 'passing');
    await clock.advance(1_000 + COLD_START_WAIT_MS);
    expect(kind(a)).toBe('leader');
  });

  it('rule 8: an instance whose own health is down never races for the lock', async () => {
    setup();
    const a = instance('a');
    a.health.up = false;
    await startPassing(a);
    await clock.advance(30_000);
    expect(kind(a)).toBe('backup');
    expect(consul.calls.some((c) => c.startsWith('createSession'))).toBe(false);
    a.health.up = true;
    await clock.advance(1_000 + COLD_START_WAIT_MS);
    expect(kind(a)).toBe('leader');
  });

  it('rule 8: a backup whose health went down while it blocked on the key does not take the freed lock', async () => {
    // What the e2e "Elasticsearch stopped" scenario found: every instance's health fails at once, the
    // leader's check fails first and its session is invalidated; a backup blocked in its watch since
    // before the fault must look at its own health again before acquiring, not at the stale answer.
    setup();
    const a = instance('a');
    const b = instance('b');
    await startLeading(a);
    await startPassing(b);
    expect(kind(a)).toBe('leader');
    expect(kind(b)).toBe('acquiring');
    b.health.up = false;
    consul.setCheck(a.checkId, 'critical'); // invalidates a's session: the key is free
    await clock.advance(0);
    expect(consul.calls).not.toContain('b:activate term=2');
    expect(kind(b)).not.toBe('activating');
    expect(kind(b)).not.toBe('leader');
  });

  it('rule 4: shutdown closes the graph, then releases, destroys the session, deregisters', async () => {
    setup();
    const a = instance('a');
    await startLeading(a);
    started.splice(0);
    const stopping = a.elector.stop();
    await clock.advance(0);
    await stopping;
    const order = consul.calls.filter((c) => /deactivate|release|destroySession|deregisterService/.test(c));
    expect(order).toEqual(['a:deactivate', `release ${KEY}`, 'destroySession session-1', 'deregisterService a4c-a']);
    expect(kind(a)).toBe('stopped');
  });

  it('consul loses all state (agent restart): the leader demotes, re-registers its service and leads again', async () => {
    setup();
    const a = instance('a');
    await startLeading(a);
    consul.loseEverything();
    await clock.advance(0); // the watch sees the key freed by the invalidation
    expect(a.transitions.find((t) => t.to === 'deactivating')?.reason).toBe('demoting: lock is no longer ours');
    await clock.advance(2_000);
    expect(consul.services.has('a4c-a')).toBe(true); // registered again
    consul.setCheck(a.checkId, 'passing');
    await clock.advance(1_000 + COLD_START_WAIT_MS); // the key is gone: a lease must pass (rule 10)
    expect(kind(a)).toBe('leader');
    expect(a.graph.contexts.at(-1)?.term).toBe(1); // a fresh KV: LockIndex starts over
  });

  it('renews the session every renew interval while leading', async () => {
    setup();
    const a = instance('a');
    await startLeading(a);
    const before = consul.calls.filter((c) => c.startsWith('renewSession')).length;
    await clock.advance(20_000);
    expect(consul.calls.filter((c) => c.startsWith('renewSession')).length - before).toBe(4);
    expect(kind(a)).toBe('leader');
  });
});
