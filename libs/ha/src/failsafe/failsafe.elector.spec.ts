import { afterEach, describe, expect, it } from '@jest/globals';
import { parseLeaderValue } from '../election/leader-value.js';
import { FakeClock } from '../testing/fake-clock.js';
import { InMemoryConsul } from '../testing/in-memory-consul.js';
import { makeInstance, PeerNetwork, testTimings } from '../testing/election-harness.js';
import { FailsafeNetwork, testFailsafe } from '../testing/failsafe-network.js';
import { PartitionableConsul } from '../testing/partitionable-consul.js';
import { actingIds, advanceWatching as watching, stopAll, type LinkedNode } from '../testing/linked-nodes.js';

const KEY = 'service/a4c/leader';
const { leaseMs, takeoverMarginMs, renewDeadlineMs, proveIntervalMs, sessionTtlMs } = testTimings;
const FAILSAFE_MAX_MS = 40_000;
const COLD_START_WAIT_MS = leaseMs + takeoverMarginMs + proveIntervalMs;

type Node = LinkedNode;

/** Rule 13 (docs/architecture.md) on the real elector: fake clock, in-memory consul, one link per instance. */
describe('Failsafe through a Consul outage (rule 13)', () => {
  let clock: FakeClock;
  let consul: InMemoryConsul;
  let peers: PeerNetwork;
  let rounds: FailsafeNetwork;
  const started: Node[] = [];

  function setup(): void {
    clock = new FakeClock();
    consul = new InMemoryConsul(clock);
    peers = new PeerNetwork();
    rounds = new FailsafeNetwork();
  }

  function node(name: string, failsafe = true): Node {
    const link = new PartitionableConsul(consul);
    const parts = failsafe ? testFailsafe(rounds, { id: name, consul: link, clock, timings: testTimings, maxMs: FAILSAFE_MAX_MS }) : undefined;
    const n: Node = { ...makeInstance(consul, clock, name, {}, peers, link, parts), link };
    if (parts) rounds.register(name, parts.member, () => n);
    started.push(n);
    return n;
  }

  afterEach(() => stopAll(clock, started));

  async function start(...nodes: Node[]): Promise<void> {
    for (const n of nodes) n.elector.start();
    await clock.advance(0);
    for (const n of nodes) consul.setCheck(n.checkId, 'passing');
    await clock.advance(1_000 + COLD_START_WAIT_MS);
  }

  /** a leads, b and c are backups, and the key's value lists all three. */
  async function cluster(failsafe = true): Promise<[Node, Node, Node]> {
    setup();
    const [a, b, c] = [node('a', failsafe), node('b', failsafe), node('c', failsafe)];
    await start(a);
    await start(b, c);
    await clock.advance(testTimings.healthCheckIntervalMs + 100);
    expect(acting([a, b, c])).toEqual(['a']);
    return [a, b, c];
  }

  const acting = actingIds;
  const listed = () => parseLeaderValue(consul.entry(KEY)?.value)?.members?.map((m) => m.id);

  const advanceWatching = (ms: number, nodes: Node[], stepMs = 50) => watching(clock, ms, nodes, stepMs);

  it('the leader writes the passing instances into the key as members, under its own session', async () => {
    const [a, , c] = await cluster();
    expect(listed()).toEqual(['a', 'b', 'c']);
    expect(consul.entry(KEY)?.lockIndex).toBe(1); // rewritten by the holder: same term
    consul.setCheck(c.checkId, 'critical');
    await clock.advance(testTimings.healthCheckIntervalMs + 100);
    expect(listed()).toEqual(['a', 'b']);
    expect(a.term.mayAct()).toBe(true);
  });

  it("a takeover that becomes safe late keeps the key's members: the value loses takeoverPending, never the list", async () => {
    const nodes = await cluster();
    const [a, b, c] = nodes;
    a.link.cut = true;
    peers.unreachable.add('a'); // only the lease proves it stopped: the new holder's takeover is pending until then
    consul.setCheck(a.checkId, 'critical');
    const values: string[] = [];
    for (let t = 0; t < leaseMs + takeoverMarginMs + 4 * testTimings.healthCheckIntervalMs; t += 50) {
      await clock.advance(50);
      values.push(consul.entry(KEY)?.value ?? '');
    }
    const successor = [b, c].find((n) => n.term.mayAct())!;
    expect(successor).toBeDefined();
    const last = parseLeaderValue(consul.entry(KEY)?.value);
    expect(last).toMatchObject({ id: successor.elector.leader?.id });
    expect(last?.takeoverPending).toBeUndefined();
    expect(last?.members?.map((m) => m.id)).toEqual(['b', 'c'].filter((id) => id !== 'a'));
    // once the list was written, no later write of the holder drops it
    const byHolder = values.map((v) => parseLeaderValue(v)).filter((v) => v?.id === successor.elector.leader?.id);
    const firstListed = byHolder.findIndex((v) => v?.members);
    expect(firstListed).toBeGreaterThanOrEqual(0);
    expect(byHolder.slice(firstListed).filter((v) => !v?.members)).toEqual([]);
  });

  it('once a takeover is safe the key says so at once, not at the next members write (a crash right after must not cost the next holder a lease wait)', async () => {
    const nodes = await cluster();
    const [a, b, c] = nodes;
    a.link.cut = true;
    peers.unreachable.add('a'); // the successor's takeover stays pending until the lease proves a stopped
    consul.setCheck(a.checkId, 'critical');
    let leadingAt: number | undefined;
    let clearedAt: number | undefined;
    for (let t = 0; t < leaseMs + takeoverMarginMs + 3 * testTimings.healthCheckIntervalMs && clearedAt === undefined; t += 10) {
      await clock.advance(10);
      if (leadingAt === undefined && [b, c].some((n) => n.elector.current.kind === 'leader')) leadingAt = clock.now();
      const value = parseLeaderValue(consul.entry(KEY)?.value);
      if (leadingAt !== undefined && value?.id !== 'a' && value?.takeoverPending === undefined) clearedAt = clock.now();
    }
    expect(leadingAt).toBeDefined();
    expect(clearedAt! - leadingAt!).toBeLessThanOrEqual(10);
    expect(listed()).toEqual(['b', 'c']); // and with the members
  });

  it('every agent refusing: the leader acts through the whole outage, past its lease and its renew deadline', async () => {
    const nodes = await cluster();
    const [a, b, c] = nodes;
    for (const n of nodes) n.link.cut = true;
    const seen = await advanceWatching(renewDeadlineMs + leaseMs, nodes);
    expect(seen.every((s) => s.join() === 'a')).toBe(true);
    expect(a.elector.current.kind).toBe('leader');
    expect(rounds.answers.filter((x) => x.startsWith('b:') || x.startsWith('c:')).every((x) => x.endsWith(':confirmed'))).toBe(true);
    expect(a.transitions.some((t) => t.reason.startsWith('failsafe: 2 member(s) confirmed'))).toBe(true);
    // back: a proves again and goes on without a new election
    for (const n of nodes) n.link.cut = false;
    await advanceWatching(2_000, nodes);
    expect(acting(nodes)).toEqual(['a']);
    expect(a.transitions.filter((t) => t.to === 'deactivating')).toEqual([]);
    expect([b, c].every((n) => n.elector.current.kind !== 'leader')).toBe(true);
  });

  it('servers without quorum (every call hangs): members whose own read times out confirm; the leader acts on', async () => {
    const nodes = await cluster();
    // reads wait for a quorum that never answers (until their bound); writes fail once they time out
    for (const n of nodes) {
      n.link.cut = true;
      n.link.hanging.add('readKey');
    }
    const seen = await advanceWatching(renewDeadlineMs + leaseMs, nodes);
    expect(seen.every((s) => s.join() === 'a')).toBe(true);
    for (const n of nodes) {
      n.link.hanging.clear();
      n.link.cut = false;
    }
    await advanceWatching(2_000, nodes);
    expect(acting(nodes)).toEqual(['a']);
  });

  it("the leader's agent alone cut off: the members reach Consul and refuse, the leader stops at its lease, a successor takes over (0 overlap)", async () => {
    const nodes = await cluster();
    const [a] = nodes;
    a.link.cut = true;
    peers.unreachable.add('a'); // its host cannot be asked either: only time proves it stopped
    consul.setCheck(a.checkId, 'critical'); // the servers free the key (serfHealth)
    const seen = await advanceWatching(leaseMs + takeoverMarginMs + 2_000, nodes);
    expect(rounds.answers.some((x) => /^[bc]:this instance (reaches consul|holds the lock)|^[bc]:the key was seen/.test(x))).toBe(true);
    expect(a.term.mayAct()).toBe(false);
    expect(acting(nodes)).toHaveLength(1);
    const lastA = seen.map((s) => s.includes('a')).lastIndexOf(true);
    expect(lastA * 50).toBeLessThanOrEqual(leaseMs);
  });

  it('a member that cannot answer (stopped during the outage) ends the failsafe: the leader stops at its lease', async () => {
    const nodes = await cluster();
    const [a] = nodes;
    for (const n of nodes) n.link.cut = true;
    rounds.dead.add('c');
    await advanceWatching(leaseMs + 500, nodes);
    expect(a.term.mayAct()).toBe(false);
    expect(a.transitions.some((t) => /c did not confirm: connect ECONNREFUSED/.test(t.reason))).toBe(true);
    // no more rounds count until a real proof: c answering again does not revive the lease
    rounds.dead.delete('c');
    await advanceWatching(3_000, nodes);
    expect(acting(nodes)).toEqual([]);
  });

  it('a member silent for one round (a slow answer) does not end the failsafe: the next round, in time, extends it', async () => {
    const nodes = await cluster();
    const [a] = nodes;
    for (const n of nodes) n.link.cut = true;
    // well into the outage: a acts on rounds alone
    const before = await advanceWatching(renewDeadlineMs, nodes);
    expect(before.every((s) => s.join() === 'a')).toBe(true);
    rounds.silentOnce.add('c');
    const after = await advanceWatching(3 * leaseMs, nodes);
    expect(rounds.answers.filter((x) => x === 'c:no answer in time')).toHaveLength(1);
    expect(after.every((s) => s.join() === 'a')).toBe(true);
    expect(a.transitions.filter((t) => t.to === 'deactivating')).toEqual([]);
  });

  it('failsafe holds at most ha.failsafeMaxInSecond past the lease in a row', async () => {
    const nodes = await cluster();
    const [a] = nodes;
    const provenAt = a.elector.current.kind === 'leader' ? a.elector.current.lease.provenAt : 0;
    for (const n of nodes) n.link.cut = true;
    const seen = await advanceWatching(FAILSAFE_MAX_MS + leaseMs + 2_000, nodes, 100);
    const lastActingAt = clock.now() - (seen.length - 1 - seen.map((s) => s.length > 0).lastIndexOf(true)) * 100;
    expect(lastActingAt).toBeLessThanOrEqual(provenAt + leaseMs + FAILSAFE_MAX_MS);
    expect(lastActingAt).toBeGreaterThan(provenAt + leaseMs + FAILSAFE_MAX_MS - 3_000);
    expect(acting(nodes)).toEqual([]);
    expect(a.elector.current.kind).not.toBe('leader'); // past the renew deadline once the failsafe ended
  });

  it('Consul comes back for the members only: they refuse, the leader stops, one of them takes over once its session dies (0 overlap)', async () => {
    const nodes = await cluster();
    const [a, b, c] = nodes;
    for (const n of nodes) n.link.cut = true;
    peers.unreachable.add('a');
    await advanceWatching(leaseMs, nodes);
    // Consul comes back for b and c only; a's session dies (2 x TTL without renew) and b or c takes the key
    b.link.cut = false;
    c.link.cut = false;
    const seen = await advanceWatching(2 * sessionTtlMs + leaseMs + takeoverMarginMs + 2_000, nodes, 100);
    // a stopped within a lease of the members' first refusal, long before its session died
    expect(seen.map((s) => s.includes('a')).lastIndexOf(true) * 100).toBeLessThanOrEqual(leaseMs + 100);
    expect(a.term.mayAct()).toBe(false);
    expect(acting(nodes)).toHaveLength(1);
    expect(['b', 'c']).toContain(acting(nodes)[0]);
  });

  it('an instance the members do not list stays out of the race for a key freed without release', async () => {
    setup();
    const a = node('a');
    await start(a);
    await clock.advance(testTimings.healthCheckIntervalMs + 100);
    expect(listed()).toEqual(['a']);
    a.link.cut = true; // a alone, on failsafe with nobody to ask
    const d = node('d');
    d.elector.start();
    await clock.advance(0);
    consul.setCheck(d.checkId, 'passing');
    consul.setCheck(a.checkId, 'critical'); // the key is freed, its value still lists only a
    const seen = await advanceWatching(FAILSAFE_MAX_MS, [a, d], 100);
    expect(seen.some((s) => s.join() === 'a')).toBe(true);
    expect(d.elector.current.kind).toBe('acquiring');
    expect(d.transitions.some((t) => /whose members do not list this instance/.test(t.reason))).toBe(true);
    await advanceWatching(leaseMs + takeoverMarginMs + 3_000, [a, d], 100);
    expect(acting([a, d])).toEqual(['d']);
  });

  it('an unlisted instance races at once for a key freed without release when its leader refuses connections (a crash: it acts on nothing)', async () => {
    setup();
    const a = node('a');
    await start(a);
    await clock.advance(testTimings.healthCheckIntervalMs + 100);
    const d = node('d');
    d.elector.start();
    await clock.advance(0);
    consul.setCheck(d.checkId, 'passing');
    expect(listed()).toEqual(['a']); // a crashes before its members keeper lists d
    started.splice(started.indexOf(a), 1); // SIGKILL: its process does nothing more, nothing to stop
    a.link.hanging.add('*');
    peers.dead.add('a');
    rounds.dead.add('a');
    consul.setCheck(a.checkId, 'critical'); // its check fails, Consul frees the key: the value still lists only a
    await advanceWatching(2_000, [d], 100);
    expect(acting([d])).toEqual(['d']);
    expect(d.transitions.some((t) => /do not list this instance/.test(t.reason))).toBe(false);
    expect(d.transitions.find((t) => t.to === 'leader')?.reason).toMatch(/a refuses connections/);
  });

  it('ha.failsafe off: the leader stops at its lease in an outage and demotes at its renew deadline (as before)', async () => {
    const nodes = await cluster(false);
    const [a] = nodes;
    for (const n of nodes) n.link.cut = true;
    await advanceWatching(leaseMs + 100, nodes);
    expect(acting(nodes)).toEqual([]);
    await advanceWatching(renewDeadlineMs, nodes);
    expect(a.transitions.some((t) => t.reason.startsWith('demoting: lock not renewed within the renew deadline'))).toBe(true);
  });
});
