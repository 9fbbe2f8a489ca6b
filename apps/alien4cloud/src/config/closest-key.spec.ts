import { describe, expect, it } from '@jest/globals';
import { closestKey, editDistance } from './closest-key.js';

describe('closestKey', () => {
  it.each([
    ['prot', 'port'],
    ['hots', 'host'],
    ['PORT', 'port'],
    ['requestTimeoutInMilis', 'requestTimeoutInMillis'],
  ])('suggests %s -> %s', (typo, key) => {
    expect(closestKey(typo, ['port', 'host', 'ssl', 'requestTimeoutInMillis'])).toBe(key);
  });

  it('suggests nothing for an unrelated word', () => {
    expect(closestKey('bananas', ['port', 'host', 'ssl'])).toBeUndefined();
  });

  it('counts a transposition as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
