import { afterEach, describe, expect, it } from '@jest/globals';
import type { FakeClock } from '../testing/fake-clock.js';
import type { InMemoryConsul } from '../testing/in-memory-consul.js';
import { testTimings, type PeerNetwork } from '../testing/election-harness.js';
import { actingIds, advanceWatching as watching, linkedWorld, stopAll, type LinkedNode } from '../testing/linked-nodes.js';

const KEY = 'service/a4c/leader';
const { leaseMs, takeoverMarginMs, renewDeadlineMs, proveIntervalMs } = testTimings;
/** Lease + takeover margin of the harness timings, plus one proof interval. */
const COLD_START_WAIT_MS = leaseMs + takeoverMarginMs + proveIntervalMs;

type Node = LinkedNode;

describe('Elector lease and takeover (rules 9-12; fake clock, in-memory consul, one link per instance)', () => {
  let clock: FakeClock;
  let consul: InMemoryConsul;
  let network: PeerNetwork;
  const started: Node[] = [];

  let node: (name: string) => Node;

  function setup(): void {
    ({ clock, consul, network, node } = linkedWorld(started));
  }

  afterEach(() => stopAll(clock, started));

  async function startLeading(...nodes: Node[]): Promise<void> {
    for (const n of nodes) n.elector.start();
    await clock.advance(0);
    for (const n of nodes) consul.setCheck(n.checkId, 'passing');
    await clock.advance(1_000 + COLD_START_WAIT_MS);
  }

  /** a leads, b is the backup; then a's agent is cut off and the servers invalidate a's session (fact 21, P13). */
  async function leaderCutOff(how: { unreachable?: boolean; dead?: boolean } = {}): Promise<{ a: Node; b: Node; freedAt: number }> {
    setup();
    const a = node('a');
    const b = node('b');
    await startLeading(a);
    await startLeading(b);
    expect(acting([a, b])).toEqual(['a']);
    a.link.cut = true;
    if (how.unreachable) network.unreachable.add('a');
    if (how.dead) network.dead.add('a');
    consul.setCheck(a.checkId, 'critical');
    return { a, b, freedAt: clock.now() };
  }

  const acting = actingIds;

  const advanceWatching = (ms: number, nodes: Node[], stepMs = 50) => watching(clock, ms, nodes, stepMs);

  it('rule 10: a crashed predecessor (connection refused) costs no extra wait', async () => {
    // a crashes: its process is gone (refused), its check turns critical and Consul frees the key
    const { b, freedAt } = await leaderCutOff({ dead: true });
    await clock.advance(0);
    expect(b.term.mayAct()).toBe(true);
    expect(clock.now() - freedAt).toBeLessThan(takeoverMarginMs);
    expect(b.transitions.find((t) => t.to === 'leader')?.reason).toBe('takeover safe: a refuses connections at http://127.0.0.1:8088: leading term 2');
  });

  it('rule 10: a leader cut off from Consul keeps the key in its value; the new holder acts only once it stopped', async () => {
    const { a, b } = await leaderCutOff();
    const seen = await advanceWatching(leaseMs + takeoverMarginMs + 1_000, [a, b]);
    expect(b.term.mayAct()).toBe(true);
    expect(a.term.mayAct()).toBe(false);
    // a stopped when its lease lapsed, and b acted only after a answered "not acting"
    const firstB = seen.findIndex((s) => s.includes('b'));
    expect(seen.slice(0, firstB).some((s) => s.includes('a'))).toBe(true);
    expect(a.transitions.some((t) => t.reason.startsWith('lease lapsed: not acting'))).toBe(true);
    expect(b.transitions.find((t) => t.to === 'leader')?.reason).toBe('takeover safe: a says it is not acting: leading term 2');
  });

  it('rule 10: a predecessor that cannot be asked (host cut off, or frozen) is waited out: lease + margin after the key was seen free', async () => {
    const { a, b, freedAt } = await leaderCutOff({ unreachable: true });
    await advanceWatching(leaseMs + takeoverMarginMs - 100, [a, b]);
    expect(b.elector.current.kind).toBe('activating');
    expect(b.term.mayAct()).toBe(false);
    await advanceWatching(200, [a, b]);
    expect(b.term.mayAct()).toBe(true);
    expect(clock.now() - freedAt).toBeGreaterThanOrEqual(leaseMs + takeoverMarginMs);
  });

  it('rule 9: the lease lapses when ownership cannot be proven, and resumes without a new election', async () => {
    setup();
    const a = node('a');
    await startLeading(a);
    const acquires = consul.calls.filter((c) => c.startsWith('acquire')).length;
    consul.failing.add('consistentRead');
    await clock.advance(leaseMs + 100);
    expect(a.elector.current.kind).toBe('leader');
    expect(a.term.mayAct()).toBe(false);
    expect(a.graph.contexts[0]!.isLeading!()).toBe(false); // background work stops too
    consul.failing.delete('consistentRead');
    await clock.advance(testTimings.proveRetryMs + 1);
    expect(a.term.mayAct()).toBe(true);
    expect(a.graph.contexts[0]!.isLeading!()).toBe(true);
    expect(consul.calls.filter((c) => c.startsWith('acquire')).length).toBe(acquires);
    expect(a.transitions.map((t) => t.reason).slice(-2)).toEqual([
      `lease lapsed: not acting until ownership is proven again (no proof for ${leaseMs} ms)`,
      'ownership proven again: acting',
    ]);
  });

  it('rule 11: Consul calls that hang never postpone the lapse or the demotion at the renew deadline', async () => {
    setup();
    const a = node('a');
    await startLeading(a);
    await clock.advance(testTimings.renewIntervalMs); // one renew lands: the deadline counts from it
    a.link.hanging.add('renewSession');
    a.link.hanging.add('readKey'); // proofs and the watch hang as well
    const lastRenew = consul.calls.filter((c) => c.startsWith('renewSession')).length;
    expect(lastRenew).toBeGreaterThan(0);
    await clock.advance(leaseMs);
    expect(a.term.mayAct()).toBe(false);
    expect(a.elector.current.kind).toBe('leader');
    await clock.advance(renewDeadlineMs - leaseMs);
    expect(a.graph.up).toBe(false);
    expect(a.transitions.find((t) => t.to === 'deactivating')?.reason).toBe(`demoting: lock not renewed within the renew deadline (${renewDeadlineMs} ms)`);
  });

  it('rule 12: wall-clock jumps change no decision', async () => {
    setup();
    const a = node('a');
    await startLeading(a);
    consul.failing.add('consistentRead');
    await clock.advance(0);
    const lastProof = consul.calls.lastIndexOf('consistentRead service/a4c/leader');
    expect(lastProof).toBeGreaterThan(-1);
    // the last successful proof was sent at most one prove interval ago: find when the lease must lapse
    const start = clock.now();
    let lapsedAfter = -1;
    for (let t = 0; t <= leaseMs + 100; t += 50) {
      clock.jumpWall(t % 100 === 0 ? -3_600_000 : +7_200_000); // NTP steps both ways
      await clock.advance(50);
      if (lapsedAfter < 0 && !a.term.mayAct()) lapsedAfter = clock.now() - start;
    }
    // compare with a twin run without jumps: the lapse comes at the same monotonic moment
    setup();
    const twin = node('twin');
    await startLeading(twin);
    consul.failing.add('consistentRead');
    await clock.advance(0);
    const twinStart = clock.now();
    let twinLapsedAfter = -1;
    for (let t = 0; t <= leaseMs + 100; t += 50) {
      await clock.advance(50);
      if (twinLapsedAfter < 0 && !twin.term.mayAct()) twinLapsedAfter = clock.now() - twinStart;
    }
    expect(lapsedAfter).toBeGreaterThan(0);
    expect(lapsedAfter).toBe(twinLapsedAfter);
  });

  it('rule 10: a "not acting" answer is a promise: a proof sent before it never lets the instance act', async () => {
    setup();
    const a = node('a');
    await startLeading(a);
    consul.failing.add('consistentRead');
    await clock.advance(leaseMs + 100); // lapsed
    expect(a.term.mayAct()).toBe(false);
    consul.failing.delete('consistentRead');
    consul.consistentReadDelayMs = 500; // the next proof is in flight for 500 ms
    await clock.advance(testTimings.proveRetryMs);
    expect(await network.probe({ id: 'a', url: 'http://127.0.0.1:8088' })).toBe('not-acting'); // a promises
    await clock.advance(500); // the proof sent before the promise comes back: it must not count
    expect(a.term.mayAct()).toBe(false);
    await clock.advance(600); // a proof sent after the promise does
    expect(a.term.mayAct()).toBe(true);
  });

  it('step-down to a candidate: the release names it, the others stand back, the candidate acts at once', async () => {
    setup();
    const a = node('a');
    const b = node('b');
    const c = node('c');
    await startLeading(a);
    await startLeading(b, c);
    expect(acting([a, b, c])).toEqual(['a']);
    expect(a.elector.stepDown('c')).toBe(true);
    await advanceWatching(500, [a, b, c]);
    expect(acting([a, b, c])).toEqual(['c']);
    expect(JSON.parse(consul.entry(KEY)!.value!)).toMatchObject({ id: 'c' });
    expect(b.transitions.some((t) => t.reason.startsWith('lock released for a hand-over to c: standing back'))).toBe(true);
  });

  it('rule 8 mirror: a leader whose own health goes down hands the lock back at once; a healthy backup acts without waiting', async () => {
    setup();
    const a = node('a');
    const b = node('b');
    await startLeading(a);
    await startLeading(b);
    a.health.up = false; // e.g. its Elasticsearch connection is gone; Consul's check has not noticed yet
    await advanceWatching(2 * testTimings.healthCheckIntervalMs + 500, [a, b]);
    expect(a.transitions.find((t) => t.to === 'deactivating')?.reason).toBe('demoting: own health is down (elasticsearch: cluster health red)');
    expect(acting([a, b])).toEqual(['b']);
    expect(b.transitions.find((t) => t.to === 'activating')?.reason).toContain('a released the lock cleanly');
  });

  it('rule 8 mirror has hysteresis: one failed health poll is not a failover', async () => {
    setup();
    const a = node('a');
    await startLeading(a);
    a.health.up = false;
    await clock.advance(testTimings.healthCheckIntervalMs); // one poll sees it down
    a.health.up = true;
    await clock.advance(5 * testTimings.healthCheckIntervalMs);
    expect(a.elector.current.kind).toBe('leader');
    expect(a.term.mayAct()).toBe(true);
  });

  it('a term that ended while Consul was unreachable releases its old session as soon as Consul answers again', async () => {
    const { a, b } = await leaderCutOffWithoutInvalidation();
    const oldSession = consul.entry(KEY)!.session!;
    // a cannot renew: it stops acting at the lease and demotes at the renew deadline, but its release fails
    await clock.advance(renewDeadlineMs + 100);
    expect(a.elector.current.kind).toBe('backup');
    expect(consul.entry(KEY)?.session).not.toBeNull(); // the old session still holds the key (Consul kept it)
    expect(acting([a, b])).toEqual([]);
    a.link.cut = false; // Consul answers again, long before the old session's 2 x TTL runs out
    await advanceWatching(3 * testTimings.healthCheckIntervalMs, [a, b]);
    expect(JSON.parse(consul.entry(KEY)!.value!)).toMatchObject(b.term.mayAct() ? { id: 'b' } : { id: 'a', released: true });
    expect(acting([a, b]).length).toBe(1);
    expect(consul.sessions.has(oldSession)).toBe(false); // destroyed by a, not left to its TTL
  });

  /** a leads, b is the backup; a's agent is cut off but Consul does not invalidate a's session (e.g. quorum lost). */
  async function leaderCutOffWithoutInvalidation(): Promise<{ a: Node; b: Node }> {
    setup();
    const a = node('a');
    const b = node('b');
    await startLeading(a);
    await startLeading(b);
    a.link.cut = true;
    return { a, b };
  }
});
