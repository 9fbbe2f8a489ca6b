import { describe, expect, it } from '@jest/globals';
import { decide, nextDueAt, type DecideTimings } from '../election/decide.js';
import type { ElectionState } from '../election/election-state.js';
import { freshLease, leaseDueAt, leaseValid, onFailsafe, renewDeadlineAt, withFailsafeRound, withProof, type Lease } from '../election/lease.js';

/** Rule 13's decisions in the pure decide() and the lease value (docs/architecture.md): table rows, no time passing. */
const timings: DecideTimings & { failsafeMaxMs: number } = {
  retryDelayMs: 20_000,
  renewIntervalMs: 20_000,
  handoverWindowMs: 10_000,
  healthPollMs: 1_000,
  lockDelayRetryMs: 5_000,
  stepDownHoldOffMs: 30_000,
  activationTimeoutMs: 60_000,
  leaseMs: 10_000,
  renewDeadlineMs: 45_000,
  takeoverMarginMs: 1_000,
  failsafeMaxMs: 300_000,
};
const NOW = 1_000_000;
const leader = (lease: Lease): Extract<ElectionState, { kind: 'leader' }> => ({ kind: 'leader', sessionId: 's1', term: 7, since: 0, lease });
const provenAgo = (ms: number, extra: Partial<Lease> = {}): Lease => ({ ...freshLease(NOW - ms, NOW - ms), ...extra });

describe('rule 13 in the lease value', () => {
  it('a confirmed round extends acting to its send time + lease, capped at the last proof + lease + failsafeMax', () => {
    const lease = provenAgo(8_000);
    expect(withFailsafeRound(lease, NOW, timings).failsafeUntil).toBe(NOW + 10_000);
    const old = provenAgo(305_000);
    expect(withFailsafeRound(old, NOW, timings).failsafeUntil).toBe(NOW - 305_000 + 10_000 + 300_000);
    // a late answer to an earlier round never shortens the extension
    expect(withFailsafeRound({ ...lease, failsafeUntil: NOW + 9_000 }, NOW - 5_000, timings).failsafeUntil).toBe(NOW + 9_000);
  });

  it('the extension counts for acting and postpones the renew deadline; a lapse ends both', () => {
    const lease = provenAgo(50_000, { failsafeUntil: NOW + 3_000 });
    expect(leaseDueAt(lease, timings)).toBe(NOW + 3_000);
    expect(onFailsafe(lease, NOW, timings)).toBe(true);
    expect(renewDeadlineAt(lease, timings)).toBe(NOW + 3_000);
    expect(renewDeadlineAt({ ...lease, lapsed: true }, timings)).toBe(NOW - 50_000 + 45_000);
    expect(leaseValid({ ...lease, lapsed: true }, NOW, timings)).toBe(false);
  });

  it('a real proof ends the failsafe: the next run starts from it', () => {
    const lease = withProof(provenAgo(50_000, { failsafeUntil: NOW + 3_000 }), NOW - 1);
    expect(lease.failsafeUntil).toBeUndefined();
    expect(onFailsafe(lease, NOW, timings)).toBe(false);
  });
});

describe('rule 13 in decide()', () => {
  it('a round every member confirmed, while acting: the lease extends and the loop wakes at its end', () => {
    const state = leader(provenAgo(8_000));
    const d = decide(state, { type: 'failsafe-confirmed', sentAt: NOW - 100, members: 2 }, NOW, timings);
    expect(d.next.kind).toBe('leader');
    expect(d.reason).toBe('failsafe: 2 member(s) confirmed; acting without consul until 9900 ms from now unless proven or confirmed again');
    expect(nextDueAt(d.next, timings)).toBe(NOW + 9_900);
    // monotonic clocks give fractions of a millisecond: the log says whole ones
    const fractional = decide(state, { type: 'failsafe-confirmed', sentAt: NOW - 100.37, members: 2 }, NOW, timings);
    expect(fractional.reason).toContain('until 9900 ms from now');
    const extended = (d.next as typeof state).lease;
    expect(leaseValid(extended, NOW + 9_899, timings)).toBe(true);
    expect(leaseValid(extended, NOW + 9_900, timings)).toBe(false);
  });

  it('a confirmed round never revives a lapsed lease (only a proof does, rule 9)', () => {
    const state = leader(provenAgo(12_000, { lapsed: true }));
    const d = decide(state, { type: 'failsafe-confirmed', sentAt: NOW - 100, members: 2 }, NOW, timings);
    expect(d.next).toEqual(state);
    expect(d.reason).toBe('failsafe round too late: the lease has lapsed');
  });

  it('failsafe off (failsafeMaxMs 0 or absent): a confirmation changes nothing', () => {
    const state = leader(provenAgo(8_000));
    expect(decide(state, { type: 'failsafe-confirmed', sentAt: NOW, members: 2 }, NOW, { ...timings, failsafeMaxMs: 0 }).next).toEqual(state);
    const { failsafeMaxMs: _off, ...without } = timings;
    expect(decide(state, { type: 'failsafe-confirmed', sentAt: NOW, members: 2 }, NOW, without).next).toEqual(state);
  });

  it('rule 2 does not demote a leader acting on a failsafe round; it does once the extension is over', () => {
    const state = leader(provenAgo(50_000, { failsafeUntil: NOW + 3_000 }));
    expect(decide(state, { type: 'tick' }, NOW, timings).next.kind).toBe('leader');
    expect(decide(state, { type: 'tick' }, NOW + 3_000, timings)).toMatchObject({ next: { kind: 'deactivating' }, reason: 'demoting: lock not renewed within the renew deadline (45000 ms)' });
  });

  it('a refusal is said once and keeps the current extension (the members that confirmed it keep their promise)', () => {
    const state = leader(provenAgo(12_000, { failsafeUntil: NOW + 2_000 }));
    const d = decide(state, { type: 'failsafe-refused', detail: 'b did not confirm: this instance reaches consul' }, NOW, timings);
    expect(d.next).toEqual(state);
    expect(d.reason).toBe("failsafe round refused: b did not confirm: this instance reaches consul; acting until the last confirmed round's lease runs out unless a later round is confirmed first");
  });

  it('an instance the free key does not list stays out of the race', () => {
    const d = decide({ kind: 'acquiring', sessionId: 's2', renewedAt: NOW }, { type: 'not-listed', leaderId: 'a', waitMs: 5_000 }, NOW, timings);
    expect(d).toMatchObject({ next: { kind: 'acquiring' }, waitMs: 5_000, reason: 'the key was freed without release by a, whose members do not list this instance: out of the race until its failsafe and lease are over (rule 13)' });
  });
});
