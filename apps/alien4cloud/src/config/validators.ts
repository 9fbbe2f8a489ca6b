import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { closestKey, configParsers, unknownKeyMessage, type ConfigParser } from '@a4c/ha';
import { describeValue, type ConfigProblem } from './config-problem.js';

/** What every validator gets besides the raw value: where problems go and what relative paths mean. */
export interface ValidationContext {
  readonly problems: ConfigProblem[];
  readonly cwd: string;
}

/**
 * Checks one raw value found at `path`. Returns the typed value, or undefined after pushing one problem
 * per thing wrong. Object validators expose their fields so other code can know the keys of a section.
 */
export type Validator<T> = ((raw: unknown, path: string, ctx: ValidationContext) => T | undefined) & {
  readonly fields?: Readonly<Record<string, Validator<unknown>>>;
};

const isAbsent = (raw: unknown): raw is null | undefined => raw === undefined || raw === null;

function expected(ctx: ValidationContext, path: string, what: string, raw: unknown): undefined {
  ctx.problems.push({ path, message: `expected ${what}, got ${describeValue(raw, path)}` });
  return undefined;
}

/**
 * One validation kit for the whole configuration: the scalar rules (and their messages) are the plugin's
 * parsers, which the `ha:` section uses too; this adapter turns a parser into a validator of a section.
 */
function fromParser<T>(parse: ConfigParser<T>): Validator<T> {
  return (raw, path, ctx) => {
    const parsed = parse(raw);
    return parsed.ok ? parsed.value : expected(ctx, path, parsed.expected, raw);
  };
}

export function integer(min: number, max: number): Validator<number> {
  return fromParser(configParsers.integer(min, max));
}

export function boolean(): Validator<boolean> {
  return fromParser(configParsers.boolean);
}

export function string(options: { pattern?: RegExp; expected?: string } = {}): Validator<string> {
  const what = options.expected ?? 'a non-empty string';
  return (raw, path, ctx) => {
    if (typeof raw !== 'string' || raw.length === 0) return expected(ctx, path, what, raw);
    return !options.pattern || options.pattern.test(raw) ? raw : expected(ctx, path, what, raw);
  };
}

export function oneOf<T extends string>(values: readonly T[]): Validator<T> {
  return fromParser(configParsers.oneOf(values));
}

/** An existing file; the value becomes an absolute path (relative ones are taken from the cwd). */
export function existingFile(): Validator<string> {
  return (raw, path, ctx) => {
    if (typeof raw !== 'string' || raw.length === 0) return expected(ctx, path, 'a file path', raw);
    const absolute = resolve(ctx.cwd, raw);
    const isFile = existsSync(absolute) && statSync(absolute).isFile();
    return isFile ? absolute : expected(ctx, path, 'an existing file', raw);
  };
}

/** A directory path (it may not exist yet); the value becomes absolute. */
export function directoryPath(): Validator<string> {
  return (raw, path, ctx) => (typeof raw === 'string' && raw.length > 0 ? resolve(ctx.cwd, raw) : expected(ctx, path, 'a directory path', raw));
}

/** A list of http(s) URLs, given as a YAML list or as one comma-separated string (handy in env vars). */
export function httpUrlList(): Validator<string[]> {
  return (raw, path, ctx) => {
    const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
    if (!Array.isArray(items)) return expected(ctx, path, 'a list of http(s) URLs', raw);
    const before = ctx.problems.length;
    const urls = items.map((item, i) => (isHttpUrl(item) ? item : expected(ctx, `${path}[${i}]`, 'an http(s) URL', item)));
    return ctx.problems.length === before ? (urls as string[]) : undefined;
  };
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Absent (missing or null) becomes `fallback`, which goes through `inner` too (e.g. to be made absolute). */
export function withDefault<T>(inner: Validator<T>, fallback: T): Validator<T> {
  return (raw, path, ctx) => inner(isAbsent(raw) ? fallback : raw, path, ctx);
}

export function optional<T>(inner: Validator<T>): Validator<T | undefined> {
  return (raw, path, ctx) => (isAbsent(raw) ? undefined : inner(raw, path, ctx));
}

export function listOf<T>(item: Validator<T>): Validator<T[]> {
  return (raw, path, ctx) => {
    if (!Array.isArray(raw)) return expected(ctx, path, 'a list', raw);
    const before = ctx.problems.length;
    const values = raw.map((entry, i) => item(entry, `${path}[${i}]`, ctx));
    return ctx.problems.length === before ? (values as T[]) : undefined;
  };
}

type Fields<T> = { readonly [K in keyof T]-?: Validator<T[K]> };

/**
 * A mapping with known keys. Unknown keys are problems, reported as likely typos of the closest known
 * key; their values are never printed (a misspelt password key must not leak the password). `check`
 * adds rules across fields once every field is valid.
 */
export function objectOf<T extends object>(fields: Fields<T>, check?: (value: T, path: string, ctx: ValidationContext) => void): Validator<T> {
  const known = Object.keys(fields);
  const validate = (raw: unknown, path: string, ctx: ValidationContext): T | undefined => {
    const source = isAbsent(raw) ? {} : raw;
    if (typeof source !== 'object' || Array.isArray(source)) return expected(ctx, path || '(config)', 'a mapping', raw);
    const before = ctx.problems.length;
    const entries = source as Record<string, unknown>;
    for (const key of Object.keys(entries).filter((k) => !known.includes(k))) {
      ctx.problems.push(unknownKeyProblem(path, key, known));
    }
    const value: Record<string, unknown> = {};
    for (const key of known) {
      const fieldValue = (fields as Record<string, Validator<unknown>>)[key](Object.hasOwn(entries, key) ? entries[key] : undefined, path ? `${path}.${key}` : key, ctx);
      if (fieldValue !== undefined) value[key] = fieldValue;
    }
    if (ctx.problems.length !== before) return undefined;
    check?.(value as T, path, ctx);
    return ctx.problems.length === before ? (value as T) : undefined;
  };
  return Object.assign(validate, { fields: fields as Record<string, Validator<unknown>> });
}

export function unknownKeyProblem(parentPath: string, key: string, known: readonly string[]): ConfigProblem {
  return { path: parentPath ? `${parentPath}.${key}` : key, message: unknownKeyMessage(closestKey(key, known), known) };
}
