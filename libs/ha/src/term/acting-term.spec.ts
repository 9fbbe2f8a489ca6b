import { describe, expect, it } from '@jest/globals';
import type { ElectionState } from '../election/election-state.js';
import { freshLease, type Lease } from '../election/lease.js';
import { FakeClock } from '../testing/fake-clock.js';
import { ActingTerm } from './acting-term.js';

const LEASE_MS = 10_000;
const safe = { safe: true, reason: 'released cleanly', safeAt: 0, peer: null };

function setup() {
  const clock = new FakeClock();
  const term = new ActingTerm(clock, LEASE_MS);
  const now = clock.now();
  const lease = (provenAgo: number, lapsed = false): Lease => ({ ...freshLease(now - provenAgo, now - provenAgo), lapsed });
  const activating = (l: Lease = lease(0)): ElectionState => ({ kind: 'activating', sessionId: 's1', term: 7, since: 0, startedAt: now, lease: l, graphUp: true, takeover: safe });
  const leader = (l: Lease = lease(0)): ElectionState => ({ kind: 'leader', sessionId: 's1', term: 7, since: 0, lease: l });
  return { clock, term, now, lease, activating, leader };
}

describe('ActingTerm: the one answer to "may this instance act now?"', () => {
  it('rule 9: acts only as leader with a proof younger than the lease, on the monotonic clock', () => {
    const { term, now, lease, activating, leader } = setup();
    expect(term.mayAct()).toBe(false);
    term.follow(activating());
    expect(term.mayAct()).toBe(false); // full graph up or not: activating never acts (rules 3, 10)
    term.follow(leader(lease(9_999)));
    expect(term.mayAct(now)).toBe(true);
    expect(term.mayAct(now + 1)).toBe(false);
    term.follow(leader(lease(1_000, true)));
    expect(term.mayAct(now)).toBe(false); // a reported lapse needs a fresh proof
  });

  it('a holding has one signal: it aborts when the election leaves the lock, and a new holding gets a new one', () => {
    const { term, activating, leader } = setup();
    term.follow(activating());
    const first = term.signal!;
    term.follow(leader());
    expect(term.signal).toBe(first);
    term.follow({ kind: 'deactivating', sessionId: 's1', term: 7, then: 'backup', holdOffMs: 0 });
    expect(first.aborted).toBe(true);
    expect(term.signal).toBeNull();
    expect(term.mayAct()).toBe(false);
    term.follow(activating());
    expect(term.signal).not.toBe(first);
    expect(term.signal!.aborted).toBe(false);
  });

  it('rule 10: after a not-acting promise, only a proof sent later lets it act', async () => {
    const { clock, term, now, lease, activating, leader } = setup();
    term.follow(activating());
    expect(term.promiseNotActing()).toBe(true);
    term.follow(leader(lease(0))); // proven at the very moment of the promise: sent before the answer
    expect(term.mayAct()).toBe(false);
    await clock.advance(1);
    term.follow(leader({ ...freshLease(now + 1, now + 1) }));
    expect(term.mayAct()).toBe(true);
    expect(term.promiseNotActing()).toBe(false); // acting: nothing is promised
  });

  it('tells the elector of every promise, so that it proves again at once', () => {
    const { term, now } = setup();
    const promises: number[] = [];
    term.onPromise((at) => promises.push(at));
    term.promiseNotActing();
    expect(promises).toEqual([now]);
  });

  it('quiesce: a stopping leader stops acting at once and resumes when the step-down does not happen', () => {
    const { term, activating, leader } = setup();
    expect(term.quiesce()).toBe(false); // nothing to quiesce without the lock
    term.follow(activating());
    term.follow(leader());
    expect(term.quiesce()).toBe(true);
    expect(term.mayAct()).toBe(false);
    term.resume();
    expect(term.mayAct()).toBe(true);
    term.quiesce();
    term.follow({ kind: 'backup' });
    term.follow(activating());
    term.follow(leader());
    expect(term.mayAct()).toBe(true); // the quiesce phase ended with its holding
  });

  it('quiesce: work already taken on still finishes (the fence reads mayFinish), until a not-acting promise or the lease ends it', async () => {
    const { clock, term, now, lease, activating, leader } = setup();
    term.follow(activating());
    term.follow(leader(lease(0)));
    term.quiesce();
    expect(term.mayAct()).toBe(false); // no new work
    expect(term.mayFinish()).toBe(true); // a POST in flight when SIGTERM came still writes (zero-error e2e saw it refused)
    expect(term.mayFinish(now + LEASE_MS)).toBe(false);
    await clock.advance(1);
    expect(term.promiseNotActing()).toBe(true);
    expect(term.mayFinish()).toBe(false); // a peer may act on that word: nothing of ours takes effect any more
    term.follow({ kind: 'backup' });
    expect(term.mayFinish()).toBe(false);
  });

  it('rule 13 extension point: a grant extends acting past the lease, but never past a later promise', async () => {
    const { clock, term, now, lease, activating, leader } = setup();
    term.follow(activating());
    term.follow(leader(lease(LEASE_MS)));
    expect(term.mayAct()).toBe(false);
    term.grant({ until: now + 5_000, sentAt: now });
    expect(term.mayAct()).toBe(true);
    expect(term.mayAct(now + 5_000)).toBe(false);
    await clock.advance(1);
    term.grant(null);
    expect(term.promiseNotActing()).toBe(true);
    term.grant({ until: now + 5_000, sentAt: now }); // a round sent before the promise
    expect(term.mayAct()).toBe(false);
  });

  it('HA off: one holding that acts from the moment the full graph is up until the end', async () => {
    const { clock, term } = setup();
    const signal = term.beginStandalone();
    expect(term.mayAct()).toBe(false);
    term.serveStandalone();
    await clock.advance(10 * LEASE_MS);
    expect(term.mayAct()).toBe(true); // no lease: a term that never ends
    expect(term.leaseStatus()).toEqual({ provenAgoMs: null, remainingMs: 0, leaseMs: LEASE_MS });
    term.end();
    expect(signal.aborted).toBe(true);
    expect(term.mayAct()).toBe(false);
  });

  it('lease status: age of the last proof and time left while acting, 0 left once not acting', () => {
    const { term, lease, activating, leader } = setup();
    term.follow(activating());
    term.follow(leader(lease(4_000)));
    expect(term.leaseStatus()).toEqual({ provenAgoMs: 4_000, remainingMs: 6_000, leaseMs: LEASE_MS });
    term.quiesce();
    expect(term.leaseStatus()).toEqual({ provenAgoMs: 4_000, remainingMs: 0, leaseMs: LEASE_MS });
  });

  it('tells its readers when the answer changes other than by time', () => {
    const { term, activating, leader } = setup();
    let changes = 0;
    term.onChange(() => (changes += 1));
    term.follow(activating());
    term.follow(activating()); // the same: nothing to tell
    term.follow(leader());
    term.quiesce();
    term.follow({ kind: 'backup' });
    expect(changes).toBe(3);
  });
});
