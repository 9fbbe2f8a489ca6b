import { describe, expect, it } from '@jest/globals';
import { listedIn, membersOf, sameMembers, unionOf } from './members.js';

describe('the leader key members (rule 13)', () => {
  const self = { id: 'a', url: 'http://10.0.0.1:8088' };
  it('lists the passing instances and the leader itself, sorted by id', () => {
    const members = membersOf(
      [
        { serviceId: 'a4c-c', address: '10.0.0.3', port: 8088, checkStatus: 'passing' },
        { serviceId: 'a4c-b', address: '10.0.0.2', port: 8088, checkStatus: 'passing' },
        { serviceId: 'a4c-d', address: '10.0.0.4', port: 8088, checkStatus: 'critical' },
        { serviceId: 'a4c-e', address: 'fe80::1', port: 8088, checkStatus: 'warning' },
      ],
      'a4c',
      'http',
      self,
    );
    expect(members).toEqual([self, { id: 'b', url: 'http://10.0.0.2:8088' }, { id: 'c', url: 'http://10.0.0.3:8088' }]);
  });

  it('compares lists by content and unions them by id', () => {
    expect(sameMembers([self], [{ ...self }])).toBe(true);
    expect(sameMembers([self], undefined)).toBe(false);
    expect(sameMembers([self], [{ id: 'a', url: 'http://elsewhere' }])).toBe(false);
    expect(unionOf([self], [{ id: 'b', url: 'u' }, self]).map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('a value without members (older leader, or not written yet) lists everybody; otherwise only those named', () => {
    const value = { id: 'a', address: 'a:1', url: 'http://a', since: '', term: 1 };
    expect(listedIn(null, 'x')).toBe(true);
    expect(listedIn(value, 'x')).toBe(true);
    expect(listedIn({ ...value, members: [self] }, 'x')).toBe(false);
    expect(listedIn({ ...value, members: [self] }, 'a')).toBe(true);
  });
});
