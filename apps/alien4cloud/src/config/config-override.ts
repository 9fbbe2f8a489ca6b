import YAML from 'yaml';
import { HA_KEYS } from './ha-section.js';
import { configSchema } from './config-schema.js';
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
  for (const segment of path) fields = fields?.[segment]?.fields;
  return fields ? Object.keys(fields) : [];
}

/** Sets `value` at `path` inside `target`, creating mappings (or lists, for numeric segments) on the way. */
export function applyOverride(target: Record<string, unknown>, { path, value }: ConfigOverride): void {
  let node: Record<string, unknown> = target;
  path.forEach((segment, i) => {
    if (i === path.length - 1) {
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (!next || typeof next !== 'object') node[segment] = /^\d+$/.test(path[i + 1]) ? [] : {};
    node = node[segment] as Record<string, unknown>;
  });
}
