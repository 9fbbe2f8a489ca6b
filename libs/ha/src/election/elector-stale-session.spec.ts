import { afterEach, describe, expect, it } from '@jest/globals';
import type { FakeClock } from '../testing/fake-clock.js';
import type { InMemoryConsul } from '../testing/in-memory-consul.js';
import { testTimings, type PeerNetwork } from '../testing/election-harness.js';
import { linkedWorld, type LinkedNode } from '../testing/linked-nodes.js';

const KEY = 'service/a4c/leader';
const { leaseMs, takeoverMarginMs, proveIntervalMs, renewDeadlineMs, sessionTtlMs } = testTimings;
const COLD_START_WAIT_MS = leaseMs + takeoverMarginMs + proveIntervalMs;

type Node = LinkedNode;

/**
 * An instance that finds the key held by a session that is not its current one, while the key's value
 * names its own id, is looking at its own stale session (a previous incarnation killed and restarted
 * before Consul's check saw it dead, or a term that ended while Consul could not take the release): it
 * destroys that session at once instead of waiting up to 2 x TTL (docs/architecture.md, rule 14).
 */
describe('Elector: an earlier session of this instance is freed at once (fake clock, in-memory consul)', () => {
  let clock: FakeClock;
  let consul: InMemoryConsul;
  let network: PeerNetwork;
  const started: Node[] = [];

  let node: (name: string) => Node;

  function setup(): void {
    ({ clock, consul, network, node } = linkedWorld(started));
  }

  /** SIGKILL: the process does nothing more and its port refuses connections; Consul is not told. */
  function kill(n: Node): void {
    started.splice(started.indexOf(n), 1);
    n.link.hanging.add('*');
    network.dead.add(n.elector.leader?.id ?? '');
  }

  /** The supervisor restarts a killed instance at once with the same id; its check is still passing. */
  function restart(name: string): Node {
    const restarted = node(name);
    network.dead.delete(name);
    restarted.elector.start();
    return restarted;
  }

  afterEach(async () => {
    for (const n of started.splice(0)) {
      n.link.cut = false;
      n.link.hanging.clear();
      const stopping = n.elector.stop();
      await clock.advance(0);
      await stopping;
    }
  });

  async function startLeading(...nodes: Node[]): Promise<void> {
    for (const n of nodes) n.elector.start();
    await clock.advance(0);
    for (const n of nodes) consul.setCheck(n.checkId, 'passing');
    await clock.advance(1_000 + COLD_START_WAIT_MS);
  }

  const acting = (nodes: Node[]) => nodes.filter((n) => n.term.mayAct()).map((n) => n.elector.leader?.id);

  it('issue 18 bug: a leader killed and restarted before its check ever failed leads again at once, not after its old session TTL', async () => {
    setup();
    const old = node('a');
    await startLeading(old);
    const oldSession = consul.entry(KEY)!.session!;
    const killedAt = clock.now();
    kill(old);
    const restarted = restart('a');
    await clock.advance(1_000);
    expect(consul.sessions.has(oldSession)).toBe(false);
    expect(restarted.transitions.map((t) => t.reason)).toContain(
      `lock held by session ${oldSession}, an earlier session of this instance (a previous process or an ended term): destroying it`,
    );
    // the previous holder was this very instance, so the takeover is safe at once (rule 10)
    expect(restarted.term.mayAct()).toBe(true);
    expect(clock.now() - killedAt).toBeLessThan(sessionTtlMs);
  });

  it('a backup racing the restarted instance also leads at once: the new process promises it does not act', async () => {
    setup();
    const old = node('a');
    const b = node('b');
    await startLeading(old);
    await startLeading(b);
    const oldSession = consul.entry(KEY)!.session!;
    kill(old);
    const restarted = restart('a');
    await clock.advance(1_000);
    expect(consul.sessions.has(oldSession)).toBe(false);
    expect(acting([restarted, b])).toHaveLength(1);
  });

  it('issue 19 bug: a term that ended in a quorum loss leaves a session holding the key; its own instance frees it as soon as Consul answers', async () => {
    setup();
    const a = node('a');
    const b = node('b');
    await startLeading(a);
    await startLeading(b);
    const oldSession = consul.entry(KEY)!.session!;
    // quorum lost: nothing reaches the servers and no session is invalidated (docs/consul-behaviour.md §12.6)
    a.link.cut = true;
    b.link.cut = true;
    await clock.advance(renewDeadlineMs + 100);
    expect(a.elector.current.kind).toBe('backup');
    // the background retry of the old release is gone too (the process was restarted meanwhile, say):
    // only the key's value tells whose session it is
    a.link.hanging.add('release');
    a.link.cut = false;
    b.link.cut = false;
    const back = clock.now();
    // both retry after lockAcquisitionDelay (rule 6); then one acts within a check poll, not after 2 x TTL
    const bound = testTimings.retryDelayMs + 2 * testTimings.healthCheckIntervalMs;
    for (let waited = 0; waited < bound && acting([a, b]).length === 0; waited += 100) await clock.advance(100);
    expect(consul.sessions.has(oldSession)).toBe(false);
    expect(acting([a, b])).toHaveLength(1);
    expect(clock.now() - back).toBeLessThan(bound);
    expect(2 * sessionTtlMs).toBeGreaterThan(bound);
  });

  it('a destroy Consul refuses is asked again only after a blocking read of the key, never in a tight loop', async () => {
    setup();
    const old = node('a');
    await startLeading(old);
    const oldSession = consul.entry(KEY)!.session!;
    kill(old);
    consul.failing.add('destroySession');
    const restarted = restart('a');
    await clock.advance(10_000);
    const asked = consul.calls.filter((c) => c === `destroySession ${oldSession}`).length;
    expect(asked).toBeGreaterThanOrEqual(1);
    // one ask per blocking read, which lasts until the next renewal at most
    expect(asked).toBeLessThanOrEqual(1 + 10_000 / testTimings.renewIntervalMs);
    expect(restarted.errors).toContain('destroy-stale-session: consul destroySession failed: connect ECONNREFUSED (injected)');
    consul.failing.delete('destroySession');
    await clock.advance(testTimings.renewIntervalMs + 1_000);
    expect(consul.sessions.has(oldSession)).toBe(false);
    expect(restarted.term.mayAct()).toBe(true);
  });

  it('a key held by another instance\'s session is never destroyed', async () => {
    setup();
    const b = node('b');
    await startLeading(b);
    const bSession = consul.entry(KEY)!.session!;
    const a = node('a');
    await startLeading(a);
    await clock.advance(30_000);
    expect(consul.sessions.has(bSession)).toBe(true);
    expect(consul.calls.filter((c) => c === `destroySession ${bSession}`)).toEqual([]);
    expect(acting([a, b])).toEqual(['b']);
  });
});
