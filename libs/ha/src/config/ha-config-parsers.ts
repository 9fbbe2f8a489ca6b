/**
 * Single-value parsers for the `ha:` keys. Values may come from YAML (typed) or from the command line
 * and environment (always strings), so numbers and booleans are accepted in both forms.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };
export type Parser<T> = (raw: unknown) => Parsed<T>;

/** setTimeout cannot wait longer than this (about 24.8 days); bigger delays fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(raw)) return Number(raw);
  return undefined;
}

export function integer(min: number, max: number, why = ''): Parser<number> {
  const expected = `an integer ${min}-${max}${why ? ` (${why})` : ''}`;
  return (raw) => {
    const n = toNumber(raw);
    return n !== undefined && Number.isInteger(n) && n >= min && n <= max ? ok(n) : fail(expected);
  };
}

/** A number in (0, max]: fractions allowed, zero not. */
export function positiveUpTo(max: number, why: string): Parser<number> {
  return (raw) => {
    const n = toNumber(raw);
    return n !== undefined && Number.isFinite(n) && n > 0 && n <= max ? ok(n) : fail(`a number > 0 and <= ${max} (${why})`);
  };
}

export const boolean: Parser<boolean> = (raw) => {
  if (typeof raw === 'boolean') return ok(raw);
  if (typeof raw === 'string' && /^\s*(true|false)\s*$/i.test(raw)) return ok(raw.trim().toLowerCase() === 'true');
  return fail('true or false');
};

export function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw) =>
    typeof raw === 'string' && (values as readonly string[]).includes(raw) ? ok(raw as T) : fail(values.join(' or '));
}

export function matching(pattern: RegExp, expected: string, accept: (s: string) => boolean = () => true): Parser<string> {
  return (raw) => (typeof raw === 'string' && pattern.test(raw) && accept(raw) ? ok(raw) : fail(expected));
}

/** A host name, IPv4 or IPv6 address, as written in a URL authority without the port. */
export const host = matching(
  /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]?$/,
  'a host name or IP address',
);

/** Any non-blank string without surrounding spaces (paths, tokens, passwords). */
export const nonBlank = matching(/^\S(.*\S)?$/s, 'a non-empty string without leading or trailing spaces');

/**
 * Consul 1.21.5 key validation, as a client should stay within it (docs/consul-behaviour.md §4.3): the safe
 * character set, no leading `/`, no `..` segment trick, no empty segment.
 */
export const consulKey = matching(
  /^[A-Za-z0-9._/-]+$/,
  'a Consul key of [A-Za-z0-9._/-] without a leading "/", "//" or ".."',
  (s) => !s.startsWith('/') && !s.includes('..') && !s.includes('//'),
);
