import { describe, expect, it } from '@jest/globals';
import { quantile, summarize } from './summary.js';

describe('summarize', () => {
  it('gives min, median, p95 and max of an unsorted sample', () => {
    // 1..20 shuffled: p95 at rank 0.95 * 19 = 18.05, between 19 and 20
    const values = [7, 3, 20, 1, 15, 9, 12, 2, 18, 5, 11, 4, 19, 6, 14, 8, 16, 10, 13, 17];
    const summary = summarize(values)!;
    expect({ ...summary, p95: Number(summary.p95.toFixed(6)) }).toEqual({ count: 20, min: 1, median: 10.5, p95: 19.05, max: 20 });
  });

  it('handles one value and an odd count', () => {
    expect(summarize([42])).toEqual({ count: 1, min: 42, median: 42, p95: 42, max: 42 });
    expect(summarize([3, 1, 2])).toEqual({ count: 3, min: 1, median: 2, p95: 2.9, max: 3 });
  });

  it('is undefined for an empty sample and ignores values that are not finite (failed measurements)', () => {
    expect(summarize([])).toBeUndefined();
    expect(summarize([Number.NaN, Number.POSITIVE_INFINITY])).toBeUndefined();
    expect(summarize([5, Number.NaN, 1])).toEqual({ count: 2, min: 1, median: 3, p95: 4.8, max: 5 });
  });

  it('does not reorder the caller array', () => {
    const values = [3, 1, 2];
    summarize(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('quantile', () => {
  it('interpolates between ranks and rejects bad input', () => {
    expect(quantile([10, 20], 0.5)).toBe(15);
    expect(quantile([10, 20, 30, 40], 0)).toBe(10);
    expect(quantile([10, 20, 30, 40], 1)).toBe(40);
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });
});
