// Go's time.ParseDuration / Duration.String, because Consul accepts and prints durations in Go's format
// and several error texts embed them (e.g. the session TTL range error prints `[10s=24h0m0s]`).
// Nanoseconds are bigint so exact Go values (and Go's overflow) are reproduced.

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_INT64 = (1n << 63n) - 1n;

export const NS_PER_MS = 1_000_000n;
export const SECOND_NS = 1_000_000_000n;

/** Thrown with Go's exact message, e.g. `time: missing unit in duration "30"`. */
export class GoDurationError extends Error {}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** Parses a Go duration string into nanoseconds; throws GoDurationError with Go's wording. */
export function parseGoDuration(input: string): bigint {
  let s = input;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new GoDurationError(`time: invalid duration ${quote(input)}`);
  let total = 0n;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s);
    const intPart = number?.[1] ?? '';
    const fracPart = number?.[2] ?? '';
    if (intPart === '' && fracPart === '') throw new GoDurationError(`time: invalid duration ${quote(input)}`);
    s = s.slice(number![0].length);
    const unitMatch = /^[^\d.]*/.exec(s);
    const unitName = unitMatch ? unitMatch[0] : '';
    if (unitName === '') throw new GoDurationError(`time: missing unit in duration ${quote(input)}`);
    const unit = UNITS[unitName];
    if (unit === undefined) throw new GoDurationError(`time: unknown unit ${quote(unitName)} in duration ${quote(input)}`);
    s = s.slice(unitName.length);
    let value = BigInt(intPart === '' ? '0' : intPart) * unit;
    if (fracPart !== '') value += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    total += value;
    if (total > MAX_INT64) throw new GoDurationError(`time: invalid duration ${quote(input)}`);
  }
  return negative ? -total : total;
}

function trimFraction(whole: bigint, frac: bigint, digits: number): string {
  if (frac === 0n) return whole.toString();
  const text = frac.toString().padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${text}`;
}

/** Go's Duration.String(): "0s", "1.5s", "1m30s", "24h0m0s", "500ms", "1µs". */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u < SECOND_NS) {
    if (u < 1_000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${trimFraction(u / 1_000n, u % 1_000n, 3)}µs`;
    return `${sign}${trimFraction(u / 1_000_000n, u % 1_000_000n, 6)}ms`;
  }
  const hours = u / UNITS.h;
  const minutes = (u % UNITS.h) / UNITS.m;
  const secondsNs = u % UNITS.m;
  const seconds = trimFraction(secondsNs / SECOND_NS, secondsNs % SECOND_NS, 9);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/**
 * A duration field of a JSON body as Consul's Go decoders read it: a Go duration string, or a number of
 * nanoseconds. Returns nanoseconds; throws GoDurationError for a bad string.
 */
export function decodeDurationField(value: unknown, field: string): bigint {
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string') return parseGoDuration(value);
  if (value === null || value === undefined) return 0n;
  throw new GoDurationError(`json: cannot unmarshal ${typeof value} into Go struct field ${field} of type time.Duration`);
}

export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}
