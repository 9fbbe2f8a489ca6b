import { describe, expect, it } from '@jest/globals';
import { judgeFailsafe, type MemberView } from './failsafe-judge.js';
import { parseFailsafeRequest, type FailsafeRequest } from './failsafe-request.js';

const request: FailsafeRequest = { leaderId: 'a', sessionId: 'sa', term: 5, epoch: 9 };
const cutOff: MemberView = { enabled: true, selfId: 'b', holdsLock: false, acting: false, consul: { reached: false, detail: 'ECONNREFUSED' }, sightings: [{ session: 'sa', lockIndex: 5 }] };

/** Rule 13's member checks (docs/architecture.md), one row per reason to refuse. */
describe('judgeFailsafe', () => {
  it.each<[string, Partial<MemberView>, string | null]>([
    ['cut off from Consul, idle, only ever saw the leader: confirms', {}, null],
    ['a member that never saw the key (started during the outage): confirms', { sightings: [] }, null],
    ['older terms seen free or held by others do not count', { sightings: [{ session: 'sx', lockIndex: 4 }, { session: null, lockIndex: 4 }] }, null],
    ['failsafe off here', { enabled: false }, 'failsafe is off on this instance (ha.failsafe: false)'],
    ['asked by itself', { selfId: 'a' }, 'a leader does not confirm its own failsafe'],
    ['holds the lock', { holdsLock: true }, 'this instance holds the lock'],
    ['acts', { acting: true }, 'this instance acts as leader'],
    ['saw another session hold the key in or after the term', { sightings: [{ session: 'sa', lockIndex: 5 }, { session: 'sb', lockIndex: 6 }] }, 'the key was seen held by session sb (lock index 6) since term 5 began'],
    ['saw the key free since the term began', { sightings: [{ session: null, lockIndex: 5 }] }, 'the key was seen free since term 5 began'],
    ['reaches Consul itself', { consul: { reached: true, holder: 'sa' } }, 'this instance reaches consul (the key is held by session sa): the leader should too'],
  ])('%s', (_name, over, reason) => {
    expect(judgeFailsafe(request, { ...cutOff, ...over })).toEqual(reason === null ? { confirmed: true } : { confirmed: false, reason });
  });
});

describe('parseFailsafeRequest', () => {
  it.each<[unknown, string]>([
    [null, 'expected a JSON object {leaderId, sessionId, term, epoch}'],
    [{ sessionId: 's', term: 1, epoch: 0 }, 'leaderId: expected a non-empty string'],
    [{ leaderId: 'a', term: 1, epoch: 0 }, 'sessionId: expected a non-empty string'],
    [{ leaderId: 'a', sessionId: 's', term: 0, epoch: 0 }, 'term: expected a positive integer (the lock index)'],
    [{ leaderId: 'a', sessionId: 's', term: 1, epoch: -1 }, 'epoch: expected an integer >= 0'],
  ])('refuses %j', (body, reason) => {
    expect(parseFailsafeRequest(body)).toBe(reason);
  });

  it('takes a well-formed body', () => {
    expect(parseFailsafeRequest({ leaderId: 'a', sessionId: 's', term: 3, epoch: 2, extra: true })).toEqual({ leaderId: 'a', sessionId: 's', term: 3, epoch: 2 });
  });
});
