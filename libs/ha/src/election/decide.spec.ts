import { describe, expect, it } from '@jest/globals';
import { decide, nextDueAt, nextRaceStep, type Decision, type DecideTimings } from './decide.js';
import type { ElectionState } from './election-state.js';
import { freshLease, type Lease } from './lease.js';
import type { Observation } from './observation.js';

const timings: DecideTimings = {
  retryDelayMs: 20_000,
  renewIntervalMs: 15_000,
  handoverWindowMs: 3_000,
  healthPollMs: 1_000,
  lockDelayRetryMs: 5_000,
  stepDownHoldOffMs: 30_000,
  activationTimeoutMs: 60_000,
  leaseMs: 10_000,
  renewDeadlineMs: 45_000,
  takeoverMarginMs: 1_000,
};
const NOW = 1_000_000;
const WALL = Date.UTC(2026, 0, 1);
const lease = (renewedAgo: number, provenAgo: number, lapsed = false): Lease => ({ ...freshLease(NOW - renewedAgo, NOW - provenAgo), lapsed });
const backup: ElectionState = { kind: 'backup' };
const acquiring: ElectionState = { kind: 'acquiring', sessionId: 's1', renewedAt: NOW - 3_000 };
const standingBack = (until: number, over = false): ElectionState => ({ ...acquiring, standBack: { candidate: 'c', modifyIndex: 40, until, over } } as ElectionState);
const safe = { safe: true, reason: 'b released the lock cleanly', safeAt: NOW, peer: null };
const waitingFor = (safeAt: number) => ({ safe: false, reason: 'waiting for b', safeAt, peer: { id: 'b', url: 'http://b' } });
const activating = (over: Partial<Extract<ElectionState, { kind: 'activating' }>> = {}): ElectionState => ({
  kind: 'activating',
  sessionId: 's1',
  term: 7,
  since: WALL,
  startedAt: NOW - 10,
  lease: lease(10, 10),
  graphUp: false,
  takeover: safe,
  ...over,
});
const leader = (l: Lease = lease(1_000, 1_000)): ElectionState => ({ kind: 'leader', sessionId: 's1', term: 7, since: WALL, lease: l });
const deactivatingToBackup: ElectionState = { kind: 'deactivating', sessionId: 's1', term: 7, then: 'backup', holdOffMs: 30_000 };
const deactivatingToStop: ElectionState = { kind: 'deactivating', sessionId: 's1', term: 7, then: 'stopped', holdOffMs: 0 };
const acquired = (predecessor: Extract<Observation, { type: 'acquired' }>['predecessor']): Observation => ({
  type: 'acquired',
  term: 7,
  since: WALL,
  sentAt: NOW - 5,
  freeSeenAt: NOW - 20,
  predecessor,
});

type Row = [string, ElectionState, Observation, Partial<Decision> & { kind: ElectionState['kind'] }];

const rows: Row[] = [
  ['backup: consul down -> retry after lockAcquisitionDelay (rule 6)', backup, { type: 'consul-unavailable', detail: 'ECONNREFUSED' }, { kind: 'backup', waitMs: 20_000, reason: 'consul unavailable, retrying in 20000 ms: ECONNREFUSED' }],
  ['backup: own health down -> no race (rule 8)', backup, { type: 'unhealthy', detail: 'disk' }, { kind: 'backup', waitMs: 1_000, reason: 'not racing for the lock: disk' }],
  ['backup: check not passing yet -> poll', backup, { type: 'check-not-passing', detail: 'critical' }, { kind: 'backup', waitMs: 1_000 }],
  ['backup: session created -> acquiring, the next renew counting from the create', backup, { type: 'session-created', sessionId: 's1', sentAt: NOW - 7 }, { kind: 'acquiring', actions: [], next: { kind: 'acquiring', sessionId: 's1', renewedAt: NOW - 7 } }],
  ['backup: the agent lost our check -> register again, then wait for it', backup, { type: 'check-missing', checkId: 'service:a4c-a' }, { kind: 'backup', actions: ['register-again'], waitMs: 1_000, reason: 'waiting for the consul check to pass: service:a4c-a is not registered with the agent: registering again' }],
  ['backup: shutdown -> deregister and stop', backup, { type: 'shutdown' }, { kind: 'stopped', actions: ['deregister'] }],
  ['acquiring: acquired from a clean release -> activating, takeover safe (rules 3, 10)', acquiring, acquired({ kind: 'none', reason: 'b released the lock cleanly' }), { kind: 'activating', reason: 'lock acquired (term 7): activating the full graph; b released the lock cleanly' }],
  ['acquiring: acquired from a peer that did not release -> activating, waiting for it (rule 10)', acquiring, acquired({ kind: 'peer', id: 'b', url: 'http://b' }), { kind: 'activating', reason: 'lock acquired (term 7): activating the full graph; waiting until b provably stopped acting (asking it; its lease is over in 11000 ms at the latest)' }],
  ['acquiring: refused, held by other -> watch', acquiring, { type: 'refused', holder: 's2' }, { kind: 'acquiring', waitMs: 0, reason: 'lock held by session s2: watching the key' }],
  ['acquiring: refused on a free key -> lock-delay retry on a timer (rule 5)', acquiring, { type: 'refused', holder: null }, { kind: 'acquiring', waitMs: 5_000 }],
  ['acquiring: released for a candidate, first seen -> stand back for the hand-over window', acquiring, { type: 'released-for-candidate', candidate: 'c', modifyIndex: 40 }, { kind: 'acquiring', waitMs: 3_000, reason: 'lock released for a hand-over to c: standing back for 3000 ms', next: standingBack(NOW + 3_000) }],
  ['acquiring: the same release seen again within the window -> keep standing back, counted from the first sight', standingBack(NOW + 500), { type: 'released-for-candidate', candidate: 'c', modifyIndex: 40 }, { kind: 'acquiring', waitMs: 500, reason: 'lock released for a hand-over to c: standing back for 500 ms' }],
  ['acquiring: the window is over -> race for it after all', standingBack(NOW), { type: 'released-for-candidate', candidate: 'c', modifyIndex: 40 }, { kind: 'acquiring', waitMs: 0, reason: 'c did not take the lock within 3000 ms: trying to acquire', next: standingBack(NOW, true) }],
  ['acquiring: a new release (another index) -> a new window', standingBack(NOW - 10_000, true), { type: 'released-for-candidate', candidate: 'd', modifyIndex: 41 }, { kind: 'acquiring', waitMs: 3_000, reason: 'lock released for a hand-over to d: standing back for 3000 ms' }],
  ['acquiring: renewed -> the next renew counts from this one', acquiring, { type: 'renewed', sentAt: NOW - 1 }, { kind: 'acquiring', quiet: true, next: { kind: 'acquiring', sessionId: 's1', renewedAt: NOW - 1 } }],
  ['acquiring: a late renew answer never moves the renew time back', acquiring, { type: 'renewed', sentAt: NOW - 9_000 }, { kind: 'acquiring', next: { kind: 'acquiring', sessionId: 's1', renewedAt: NOW - 3_000 } }],
  ['acquiring: session gone -> backup, new session', acquiring, { type: 'session-gone' }, { kind: 'backup', actions: [] }],
  ['acquiring: unhealthy -> leave the race, destroy session (rule 8)', acquiring, { type: 'unhealthy', detail: 'es red' }, { kind: 'backup', actions: ['destroy-session'] }],
  ['acquiring: consul down -> backup, retry later (rule 6)', acquiring, { type: 'consul-unavailable', detail: 'x' }, { kind: 'backup', waitMs: 20_000, actions: ['destroy-session'] }],
  ['acquiring: shutdown -> destroy, deregister', acquiring, { type: 'shutdown' }, { kind: 'stopped', actions: ['destroy-session', 'deregister'] }],
  ['activating: activated, takeover safe -> leader (rule 3)', activating(), { type: 'activated' }, { kind: 'leader', reason: 'full graph up: leading term 7' }],
  ['activating: activated, predecessor not known to have stopped -> stay activating (rule 10)', activating({ takeover: waitingFor(NOW + 5_000) }), { type: 'activated' }, { kind: 'activating', reason: 'full graph up; waiting for b' }],
  ['activating: predecessor stopped, graph up -> leader (rule 10)', activating({ graphUp: true, takeover: waitingFor(NOW + 5_000) }), { type: 'predecessor-stopped', detail: 'b refuses connections at http://b' }, { kind: 'leader', reason: 'takeover safe: b refuses connections at http://b: leading term 7' }],
  ['activating: predecessor stopped, graph still booting -> stay activating', activating({ takeover: waitingFor(NOW + 5_000) }), { type: 'predecessor-stopped', detail: 'b says it is not acting' }, { kind: 'activating' }],
  ['activating: the predecessor lease is over by time -> leader (rule 10)', activating({ graphUp: true, takeover: waitingFor(NOW) }), { type: 'tick' }, { kind: 'leader' }],
  ['activating: before the predecessor lease is over -> keep waiting (rule 10)', activating({ graphUp: true, takeover: waitingFor(NOW + 1) }), { type: 'tick' }, { kind: 'activating', quiet: true }],
  ['activating: activation timed out -> deactivate (rule 3)', activating({ startedAt: NOW - 60_000 }), { type: 'tick' }, { kind: 'deactivating', reason: 'activation failed: timed out after 60000 ms' }],
  ['activating: activation failed -> deactivate, back off (rule 3)', activating(), { type: 'activation-failed', detail: 'boom' }, { kind: 'deactivating', reason: 'activation failed: boom' }],
  ['activating: key held by other -> deactivate (rule 1)', activating(), { type: 'key', holder: 's2' }, { kind: 'deactivating' }],
  ['leader: key still ours -> stay, quietly', leader(), { type: 'key', holder: 's1' }, { kind: 'leader', quiet: true }],
  ['leader: key held by other -> deactivate at once (rule 1)', leader(), { type: 'key', holder: 's2' }, { kind: 'deactivating', reason: 'demoting: lock held by session s2' }],
  ['leader: key free -> deactivate at once (rule 1)', leader(), { type: 'key', holder: null }, { kind: 'deactivating', reason: 'demoting: lock is no longer ours' }],
  ['leader: session gone -> deactivate (rule 1)', leader(), { type: 'session-gone' }, { kind: 'deactivating', reason: 'demoting: session s1 invalidated by consul' }],
  ['leader: renew deadline passed -> deactivate, whatever was observed (rule 2)', leader(lease(45_000, 1_000)), { type: 'proven', sentAt: NOW }, { kind: 'deactivating', reason: 'demoting: lock not renewed within the renew deadline (45000 ms)' }],
  ['leader: 1 ms before the renew deadline -> stay (rule 2)', leader(lease(44_999, 1_000)), { type: 'tick' }, { kind: 'leader' }],
  ['leader: lease lapsed -> stop acting, keep the lock, prove at once (rule 9)', leader(lease(1_000, 10_000)), { type: 'tick' }, { kind: 'leader', actions: ['prove-now'], reason: 'lease lapsed: not acting until ownership is proven again (no proof for 10000 ms)' }],
  ['activating: a takeover that became safe after the lease ran out -> leader, not acting, prove at once (rule 9)', activating({ graphUp: true, lease: lease(10_000, 10_000), takeover: waitingFor(NOW) }), { type: 'tick' }, { kind: 'leader', actions: ['prove-now'], next: { kind: 'leader', sessionId: 's1', term: 7, since: WALL, lease: { ...lease(10_000, 10_000), lapsed: true } } }],
  ['leader: promised a peer not to act, last proof older -> prove at once (rule 10)', leader(lease(1_000, 1_000)), { type: 'promised-not-acting', at: NOW }, { kind: 'leader', actions: ['prove-now'], quiet: true }],
  ['leader: promised, but a proof sent after the promise is in -> nothing to do (rule 10)', leader(lease(1_000, 1_000)), { type: 'promised-not-acting', at: NOW - 2_000 }, { kind: 'leader', actions: [], quiet: true }],
  ['activating: promised a peer not to act -> prove at once, so acting can start on a later proof (rule 10)', activating(), { type: 'promised-not-acting', at: NOW }, { kind: 'activating', actions: ['prove-now'] }],
  ['backup: promised a peer not to act -> nothing to prove', backup, { type: 'promised-not-acting', at: NOW }, { kind: 'backup', actions: [] }],
  ['leader: proven again after a lapse -> act again, no new election (rule 9)', leader(lease(1_000, 12_000, true)), { type: 'proven', sentAt: NOW - 5 }, { kind: 'leader', reason: 'ownership proven again: acting' }],
  ['leader: own health down -> hand the lock back (rule 8)', leader(), { type: 'unhealthy', detail: 'elasticsearch red' }, { kind: 'deactivating', reason: 'demoting: own health is down (elasticsearch red)' }],
  ['leader: one consul error -> stay, the lease and deadline decide (rule 2)', leader(), { type: 'consul-unavailable', detail: '500 No cluster leader' }, { kind: 'leader', actions: [] }],
  ['leader: step-down -> deactivate with hold-off', leader(), { type: 'step-down' }, { kind: 'deactivating', reason: 'stepping down on request' }],
  ['leader: step-down to a candidate -> deactivate, naming it', leader(), { type: 'step-down', candidate: 'c' }, { kind: 'deactivating', reason: 'stepping down on request, handing over to c' }],
  ['leader: shutdown -> deactivate then stop', leader(), { type: 'shutdown' }, { kind: 'deactivating' }],
  ['deactivating: closed -> release, destroy, hold off (rule 4)', deactivatingToBackup, { type: 'deactivated' }, { kind: 'backup', actions: ['release', 'destroy-session'], waitMs: 30_000 }],
  ['deactivating for shutdown: closed -> release, destroy, deregister (rule 4)', deactivatingToStop, { type: 'deactivated' }, { kind: 'stopped', actions: ['release', 'destroy-session', 'deregister'] }],
  ['deactivating: shutdown -> close first, then stop instead of backup', deactivatingToBackup, { type: 'shutdown' }, { kind: 'deactivating', actions: [], next: { ...deactivatingToBackup, then: 'stopped' } as ElectionState }],
  ['activating: shutdown -> deactivate then stop', activating(), { type: 'shutdown' }, { kind: 'deactivating', next: { kind: 'deactivating', sessionId: 's1', term: 7, then: 'stopped', holdOffMs: 0 } }],
  ['stopped: shutdown again -> stay stopped', { kind: 'stopped' }, { type: 'shutdown' }, { kind: 'stopped', actions: [] }],
];

describe('decide (pure election step)', () => {
  it.each(rows)('%s', (_name, state, observation, expected) => {
    const decision = decide(state, observation, NOW, timings);
    const { kind, ...rest } = expected;
    expect(decision.next.kind).toBe(kind);
    expect(decision).toMatchObject(rest);
  });

  it('a demotion keeps the session and term for the cleanup that follows, and the candidate for the release', () => {
    expect(decide(leader(), { type: 'step-down' }, NOW, timings).next).toEqual({ kind: 'deactivating', sessionId: 's1', term: 7, then: 'backup', holdOffMs: 30_000 });
    expect(decide(leader(), { type: 'step-down', candidate: 'c' }, NOW, timings).next).toMatchObject({ candidate: 'c' });
  });

  it('a shutdown while deactivating turns the destination into stopped', () => {
    expect(decide(deactivatingToBackup, { type: 'shutdown' }, NOW, timings).next).toMatchObject({ then: 'stopped' });
  });

  it('activation: the lease counts from the acquire (a quorum write), the deadline from the last renew', () => {
    const next = decide(acquiring, acquired({ kind: 'peer', id: 'b', url: 'http://b' }), NOW, timings).next;
    expect(next).toMatchObject({ kind: 'activating', startedAt: NOW, since: WALL, lease: { provenAt: NOW - 5, renewedAt: NOW - 3_000 } });
    // rule 10: lease + margin from the moment the key was seen free
    expect(next).toMatchObject({ takeover: { safe: false, safeAt: NOW - 20 + 10_000 + 1_000, peer: { id: 'b' } } });
  });

  it('a key that did not exist is no proof that nobody acts: wait out a lease (rule 10)', () => {
    const next = decide(acquiring, acquired({ kind: 'unknown', reason: 'the key did not exist' }), NOW, timings).next;
    expect(next).toMatchObject({ takeover: { safe: false, peer: null } });
  });

  it('rule 9: a proof arriving late never moves the lease back', () => {
    const proven = decide(leader(lease(1_000, 1_000)), { type: 'proven', sentAt: NOW - 5_000 }, NOW, timings).next;
    expect(proven).toMatchObject({ lease: { provenAt: NOW - 1_000 } });
  });

  it('nextRaceStep: renew once renewIntervalMs has passed since the last renew, else race until then', () => {
    expect(nextRaceStep({ kind: 'acquiring', sessionId: 's1', renewedAt: NOW - 15_000 }, NOW, timings)).toEqual({ renew: true });
    expect(nextRaceStep({ kind: 'acquiring', sessionId: 's1', renewedAt: NOW - 14_000 }, NOW, timings)).toEqual({ renew: false, untilRenewMs: 1_000 });
  });

  it('nextDueAt: the earliest of the renew deadline, the lease, the activation timeout and the takeover', () => {
    expect(nextDueAt(leader(lease(1_000, 2_000)), timings)).toBe(NOW - 2_000 + 10_000);
    expect(nextDueAt(leader(lease(40_000, 2_000, true)), timings)).toBe(NOW - 40_000 + 45_000);
    expect(nextDueAt(activating({ takeover: waitingFor(NOW + 3_000) }), timings)).toBe(NOW + 3_000);
    expect(nextDueAt(backup, timings)).toBeNull();
  });
});
