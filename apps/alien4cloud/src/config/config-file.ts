import { existsSync, readFileSync } from 'node:fs';
import YAML from 'yaml';
import { isReservedKey, reservedKeyMessage } from '@a4c/ha';
import type { ConfigProblem } from './config-problem.js';
import { isSecretPath } from './secret-keys.js';

export interface ConfigFileContent {
  readonly raw: Record<string, unknown>;
  readonly problems: ConfigProblem[];
  /** Whether a file was actually read (the default path may be absent). */
  readonly found: boolean;
}

/**
 * Reads the YAML config file. A missing file is fine for the default path (all defaults) but an error
 * when the operator named it with --config. Parse errors give the position and the first line of the
 * parser's message only: the parser's excerpt of the source line could show a secret.
 */
export function readConfigFile(path: string, explicit: boolean): ConfigFileContent {
  if (!existsSync(path)) {
    if (!explicit) return { raw: {}, problems: [], found: false };
    return { raw: {}, problems: [{ path: '--config', message: `file not found: ${JSON.stringify(path)}` }], found: false };
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { raw: {}, problems: [{ path, message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }], found: false };
  }
  // logLevel error: a warning (e.g. a mapping used as a key) would go to the process' warning channel;
  // such a key becomes an unknown key problem instead.
  const document = YAML.parseDocument(text, { logLevel: 'error' });
  if (document.errors.length > 0) {
    const problems = document.errors.map((e) => ({ path, message: `invalid YAML: ${e.message.split('\n')[0]}` }));
    return { raw: {}, problems, found: true };
  }
  let raw: unknown;
  try {
    raw = document.toJS(); // aliases are resolved here: an unresolved one or too many expansions throw
  } catch (error) {
    return { raw: {}, problems: [{ path, message: `invalid YAML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}` }], found: true };
  }
  if (raw === null || raw === undefined) return { raw: {}, problems: [], found: true };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { raw: {}, problems: [{ path, message: 'expected a YAML mapping of sections at the top level' }], found: true };
  }
  return { raw: raw as Record<string, unknown>, problems: withoutReservedKeys(raw, ''), found: true };
}

/**
 * Removes every `__proto__`, `constructor` or `prototype` key of the parsed file (YAML makes them own
 * properties) and reports each as a problem, so nothing downstream ever indexes with one. Aliases can
 * share (even cyclic) nodes: each node is visited once.
 */
function withoutReservedKeys(node: object, path: string, seen = new Set<object>()): ConfigProblem[] {
  if (seen.has(node)) return [];
  seen.add(node);
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(node)) {
    const child = Array.isArray(node) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (!Array.isArray(node) && isReservedKey(key)) {
      problems.push({ path: child, message: reservedKeyMessage(value, isSecretPath(child)) });
      delete (node as Record<string, unknown>)[key];
    } else if (value !== null && typeof value === 'object') {
      problems.push(...withoutReservedKeys(value, child, seen));
    }
  }
  return problems;
}
