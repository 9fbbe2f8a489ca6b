import { describe, expect, it } from '@jest/globals';
import { decide, type Decision } from './decide.js';
import type { ElectionState } from './election-state.js';
import type { Observation } from './observation.js';

const timings = { retryDelayMs: 20_000, healthPollMs: 1_000, lockDelayRetryMs: 5_000, stepDownHoldOffMs: 30_000 };
const NOW = 1_000_000;
const backup: ElectionState = { kind: 'backup' };
const acquiring: ElectionState = { kind: 'acquiring', sessionId: 's1' };
const activating: ElectionState = { kind: 'activating', sessionId: 's1', term: 7, since: NOW - 10 };
const leader: ElectionState = { kind: 'leader', sessionId: 's1', term: 7, since: NOW - 10 };
const deactivatingToBackup: ElectionState = { kind: 'deactivating', sessionId: 's1', term: 7, then: 'backup', holdOffMs: 30_000 };
const deactivatingToStop: ElectionState = { kind: 'deactivating', sessionId: 's1', term: 7, then: 'stopped', holdOffMs: 0 };

type Row = [string, ElectionState, Observation, Partial<Decision> & { kind: ElectionState['kind'] }];

const rows: Row[] = [
  ['backup: consul down -> retry after lockAcquisitionDelay (rule 6)', backup, { type: 'consul-unavailable', detail: 'ECONNREFUSED' }, { kind: 'backup', waitMs: 20_000, reason: 'consul unavailable, retrying in 20000 ms: ECONNREFUSED' }],
  ['backup: own health down -> no race (rule 8)', backup, { type: 'unhealthy', detail: 'disk' }, { kind: 'backup', waitMs: 1_000, reason: 'not racing for the lock: disk' }],
  ['backup: check not passing yet -> poll', backup, { type: 'check-not-passing', detail: 'critical' }, { kind: 'backup', waitMs: 1_000 }],
  ['backup: session created -> acquiring', backup, { type: 'session-created', sessionId: 's1' }, { kind: 'acquiring', actions: [] }],
  ['backup: shutdown -> deregister and stop', backup, { type: 'shutdown' }, { kind: 'stopped', actions: ['deregister'] }],
  ['acquiring: acquired -> activating, not yet leader (rule 3)', acquiring, { type: 'acquired', term: 7 }, { kind: 'activating', reason: 'lock acquired (term 7): activating the full graph' }],
  ['acquiring: refused, held by other -> watch', acquiring, { type: 'refused', holder: 's2' }, { kind: 'acquiring', waitMs: 0, reason: 'lock held by session s2: watching the key' }],
  ['acquiring: refused on a free key -> lock-delay retry on a timer (rule 5)', acquiring, { type: 'refused', holder: null }, { kind: 'acquiring', waitMs: 5_000 }],
  ['acquiring: session gone -> backup, new session', acquiring, { type: 'session-gone' }, { kind: 'backup', actions: [] }],
  ['acquiring: unhealthy -> leave the race, destroy session (rule 8)', acquiring, { type: 'unhealthy', detail: 'es red' }, { kind: 'backup', actions: ['destroy-session'] }],
  ['acquiring: consul down -> backup, retry later (rule 6)', acquiring, { type: 'consul-unavailable', detail: 'x' }, { kind: 'backup', waitMs: 20_000, actions: ['destroy-session'] }],
  ['acquiring: shutdown -> destroy, deregister', acquiring, { type: 'shutdown' }, { kind: 'stopped', actions: ['destroy-session', 'deregister'] }],
  ['activating: activated -> leader (rule 3)', activating, { type: 'activated' }, { kind: 'leader', reason: 'full graph up: leading term 7' }],
  ['activating: activation failed -> deactivate, back off (rule 3)', activating, { type: 'activation-failed', detail: 'boom' }, { kind: 'deactivating', reason: 'activation failed: boom' }],
  ['activating: key held by other -> deactivate (rule 1)', activating, { type: 'key', holder: 's2' }, { kind: 'deactivating' }],
  ['leader: key still ours -> stay, quietly', leader, { type: 'key', holder: 's1' }, { kind: 'leader', quiet: true }],
  ['leader: key held by other -> deactivate at once (rule 1)', leader, { type: 'key', holder: 's2' }, { kind: 'deactivating', reason: 'demoting: lock held by session s2' }],
  ['leader: key free -> deactivate at once (rule 1)', leader, { type: 'key', holder: null }, { kind: 'deactivating', reason: 'demoting: lock is no longer ours' }],
  ['leader: session gone -> deactivate (rule 1)', leader, { type: 'session-gone' }, { kind: 'deactivating', reason: 'demoting: session s1 invalidated by consul' }],
  ['leader: renew deadline passed -> deactivate (rule 2)', leader, { type: 'lease-expired' }, { kind: 'deactivating', reason: 'demoting: lock not confirmed within the renew deadline' }],
  ['leader: one consul error -> stay, the deadline decides (rule 2)', leader, { type: 'consul-unavailable', detail: '500 No cluster leader' }, { kind: 'leader', actions: [] }],
  ['leader: step-down -> deactivate with hold-off', leader, { type: 'step-down' }, { kind: 'deactivating', reason: 'stepping down on request' }],
  ['leader: shutdown -> deactivate then stop', leader, { type: 'shutdown' }, { kind: 'deactivating' }],
  ['deactivating: closed -> release, destroy, hold off (rule 4)', deactivatingToBackup, { type: 'deactivated' }, { kind: 'backup', actions: ['release', 'destroy-session'], waitMs: 30_000 }],
  ['deactivating for shutdown: closed -> release, destroy, deregister (rule 4)', deactivatingToStop, { type: 'deactivated' }, { kind: 'stopped', actions: ['release', 'destroy-session', 'deregister'] }],
];

describe('decide (pure election step)', () => {
  it.each(rows)('%s', (_name, state, observation, expected) => {
    const decision = decide(state, observation, NOW, timings);
    const { kind, ...rest } = expected;
    expect(decision.next.kind).toBe(kind);
    expect(decision).toMatchObject(rest);
  });

  it('a demotion keeps the session and term for the cleanup that follows', () => {
    const decision = decide(leader, { type: 'step-down' }, NOW, timings);
    expect(decision.next).toEqual({ kind: 'deactivating', sessionId: 's1', term: 7, then: 'backup', holdOffMs: 30_000 });
  });

  it('a shutdown while deactivating turns the destination into stopped', () => {
    expect(decide(deactivatingToBackup, { type: 'shutdown' }, NOW, timings).next).toMatchObject({ then: 'stopped' });
  });

  it('activation starts its term at the decision time', () => {
    expect(decide(acquiring, { type: 'acquired', term: 3 }, NOW, timings).next).toEqual({ kind: 'activating', sessionId: 's1', term: 3, since: NOW });
  });
});
