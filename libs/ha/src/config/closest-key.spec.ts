import { describe, expect, it } from '@jest/globals';
import { closestKey, editDistance } from './closest-key.js';

describe('closestKey', () => {
  it.each<[string, string, number]>([
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['Port', 'port', 0],
    ['ab', 'ba', 2],
  ])('editDistance(%p, %p) = %p', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it.each<[string, string | undefined]>([
    ['leaderkey', 'leaderKey'],
    ['servicename', 'serviceName'],
    ['sevriceName', 'serviceName'],
    ['zzzzzzzz', undefined],
  ])('closestKey(%p) = %p', (key, expected) => {
    expect(closestKey(key, ['leaderKey', 'serviceName', 'instanceId'])).toBe(expected);
  });
});
