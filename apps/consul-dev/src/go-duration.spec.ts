import { describe, expect, it } from '@jest/globals';
import { formatGoDuration, parseGoDuration } from './go-duration.js';

describe('Go durations (docs/consul-behaviour.md §1.4)', () => {
  it.each([
    ['10s', 10_000_000_000n], ['1m30s', 90_000_000_000n], ['500ms', 500_000_000n], ['1.5h', 5_400_000_000_000n],
    ['0', 0n], ['-2s', -2_000_000_000n], ['15000ms', 15_000_000_000n], ['3µs', 3000n], ['.5s', 500_000_000n],
  ])('parses %s', (text, ns) => expect(parseGoDuration(text)).toBe(ns));

  it.each([
    ['30', 'time: missing unit in duration "30"'],
    ['', 'time: invalid duration ""'],
    ['abc', 'time: invalid duration "abc"'],
    ['5x', 'time: unknown unit "x" in duration "5x"'],
  ])('refuses %j with Go\'s text', (text, message) => expect(() => parseGoDuration(text)).toThrow(message));

  it.each([
    [0n, '0s'], [10_000_000_000n, '10s'], [86_400_000_000_000n, '24h0m0s'], [90_000_000_000n, '1m30s'],
    [1_500_000_000n, '1.5s'], [500_000_000n, '500ms'], [1_000n, '1µs'], [7n, '7ns'],
  ])('formats %s ns as %s', (ns, text) => expect(formatGoDuration(ns)).toBe(text));
});
