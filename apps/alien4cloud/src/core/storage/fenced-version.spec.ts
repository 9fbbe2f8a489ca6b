import { describe, expect, it } from '@jest/globals';
import { errors } from '@elastic/elasticsearch';
import { conflictingVersion, epochOfVersion, MAX_EPOCH, VersionCounter } from './fenced-version.js';

const conflict = (reason: string, type = 'version_conflict_engine_exception') =>
  new errors.ResponseError({ statusCode: 409, body: { error: { type, reason } }, headers: {}, warnings: null, meta: {} as never });

describe('fenced versions', () => {
  it('orders every version of a newer epoch above every version of an older one', () => {
    const older = new VersionCounter(41);
    const newer = new VersionCounter(42);
    const first = BigInt(newer.next());
    for (let n = 0; n < 1_000; n++) expect(BigInt(older.next())).toBeLessThan(first);
    expect(epochOfVersion(first)).toBe(42);
    expect(BigInt(newer.next())).toBe(first + 1n);
  });

  it('fits a Java long at the largest epoch, exactly (as a decimal string)', () => {
    const version = BigInt(new VersionCounter(MAX_EPOCH).next());
    expect(version).toBeLessThan(2n ** 63n);
    expect(epochOfVersion(version)).toBe(MAX_EPOCH);
  });

  it('refuses epochs that are not 1..2^31-1', () => {
    for (const epoch of [0, -1, 1.5, MAX_EPOCH + 1]) expect(() => new VersionCounter(epoch)).toThrow(RangeError);
  });

  it('jumps above a conflicting version of its own epoch, never into a newer epoch', () => {
    const counter = new VersionCounter(5);
    counter.advancePast((5n << 32n) | 100n);
    expect(BigInt(counter.next())).toBe((5n << 32n) | 101n);
    counter.advancePast((6n << 32n) | 900n);
    expect(BigInt(counter.next())).toBe((5n << 32n) | 102n);
  });

  it('reads the stored version out of a version conflict, and nothing out of other errors', () => {
    expect(conflictingVersion(conflict('[x]: version conflict, current version [12884901895] is higher or equal to the one provided [5]'))).toBe(12884901895n);
    expect(conflictingVersion(conflict('[x]: version conflict, something else'))).toBeNull();
    expect(conflictingVersion(conflict('exists', 'document_already_exists'))).toBeUndefined();
    expect(conflictingVersion(new Error('boom'))).toBeUndefined();
  });
});
