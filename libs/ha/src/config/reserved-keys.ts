import { describeValue } from './describe-value.js';

/**
 * Key segments that name JavaScript's object machinery rather than a setting. A configuration path
 * holding one (`--__proto__.x=1`, `A4C_ha__constructor__prototype__x`, a `__proto__:` mapping in YAML)
 * is refused before anything indexes an object with it, so no input can reach or change a prototype.
 * Compared case-insensitively: no real key looks like these in any case.
 */
const RESERVED_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isReservedKey(segment: string): boolean {
  return RESERVED_SEGMENTS.has(segment.toLowerCase());
}

/** The segment of `segments` that is reserved, if any. */
export function reservedSegmentOf(segments: readonly string[]): string | undefined {
  return segments.find(isReservedKey);
}

/** What follows `path: ` in the problem line of a reserved key path: what is expected and the value given. */
export function reservedKeyMessage(value: unknown, secret = false): string {
  return `expected a key path without "__proto__", "constructor" or "prototype" segments, got ${describeValue(value, secret)}`;
}
