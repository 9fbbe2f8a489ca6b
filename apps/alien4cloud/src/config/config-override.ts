import YAML from 'yaml';
import { HA_KEYS } from '@a4c/ha';
import { configSchema } from './config-schema.js';
import type { ConfigProblem } from './config-problem.js';
import { isSecretPath } from './secret-keys.js';

/** One value from the environment or the command line, to be laid over the file's content. */
export interface ConfigOverride {
  readonly path: readonly string[];
  readonly value: unknown;
}

/**
 * Builds an override from key segments and the text given for it. Segments are matched to known keys
 * case-insensitively (environment variables are often upper-cased); the text is read as a YAML scalar
 * ("8089" -> 8089, "true" -> true, "" -> unset), except secrets, taken verbatim so a numeric password
 * stays a string.
 */
export function makeOverride(segments: readonly string[], text: string): ConfigOverride {
  const path = canonicalPath(segments);
  if (!isSecretPath(path.join('.'))) return { path, value: parseScalar(text) };
  return { path, value: text === '' ? null : text }; // empty means unset, as for every other key
}

function parseScalar(text: string): unknown {
  try {
    return YAML.parse(text);
  } catch {
    return text; // not valid YAML on its own (e.g. "a: b: c"): the validator will judge the text
  }
}

function canonicalPath(segments: readonly string[]): string[] {
  const path: string[] = [];
  for (const segment of segments) {
    const match = knownChildKeys(path).find((key) => key.toLowerCase() === segment.toLowerCase());
    path.push(match ?? segment);
  }
  return path;
}

/** The keys the schema knows directly under `path` (empty where it does not know). */
export function knownChildKeys(path: readonly string[]): readonly string[] {
  if (path.length === 1 && path[0] === 'ha') return HA_KEYS;
  let fields = configSchema.fields;
  for (const segment of path) fields = fields && Object.hasOwn(fields, segment) ? fields[segment].fields : undefined;
  return fields ? Object.keys(fields) : [];
}

/**
 * Sets `value` at `path` inside `target`, creating mappings (or lists, for numeric segments) on the way.
 * Only own properties are followed and written (defineProperty, not assignment), so even a path the
 * parsers should have refused (`__proto__`, `constructor`) cannot reach a prototype. Inside a list only
 * an index up to its length (replace or append) is accepted: `length` or a huge index is a problem,
 * returned as the message of its line, never a thrown RangeError or a sparse list of a billion holes.
 */
export function applyOverride(target: Record<string, unknown>, { path, value }: ConfigOverride): ConfigProblem | undefined {
  let node: object = target;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (Array.isArray(node) && !(/^\d+$/.test(segment) && Number(segment) <= node.length)) {
      return { path: path.slice(0, i + 1).join('.'), message: `expected a list index 0-${node.length}, got ${JSON.stringify(segment)}` };
    }
    const container = node as Record<string, unknown>;
    if (i === path.length - 1) {
      setOwn(container, segment, value);
      break;
    }
    const next = Object.hasOwn(container, segment) ? container[segment] : undefined;
    if (!next || typeof next !== 'object') setOwn(container, segment, /^\d+$/.test(path[i + 1]) ? [] : {});
    node = container[segment] as object;
  }
  return undefined;
}

function setOwn(node: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
}
