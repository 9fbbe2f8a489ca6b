import { describe, expect, it } from '@jest/globals';
import { closestKey, editDistance } from './closest-key.js';

describe('closestKey', () => {
  it.each<[string, string, number]>([
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1], // a transposition is one edit
  ])('editDistance(%p, %p) = %p', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it.each<[string, string | undefined]>([
    ['leaderkey', 'leaderKey'],
    ['servicename', 'serviceName'],
    ['sevriceName', 'serviceName'],
    ['zzzzzzzz', undefined],
  ])('closestKey(%p) = %p among the ha keys', (key, expected) => {
    expect(closestKey(key, ['leaderKey', 'serviceName', 'instanceId'])).toBe(expected);
  });

  it.each([
    ['prot', 'port'],
    ['hots', 'host'],
    ['PORT', 'port'],
    ['requestTimeoutInMilis', 'requestTimeoutInMillis'],
  ])('suggests %s -> %s among server keys', (typo, key) => {
    expect(closestKey(typo, ['port', 'host', 'ssl', 'requestTimeoutInMillis'])).toBe(key);
  });

  it('suggests nothing for an unrelated word', () => {
    expect(closestKey('bananas', ['port', 'host', 'ssl'])).toBeUndefined();
  });
});
