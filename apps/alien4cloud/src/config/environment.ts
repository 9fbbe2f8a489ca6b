import { closestKey, reservedKeyMessage, reservedSegmentOf } from '@a4c/ha';
import type { ConfigProblem } from './config-problem.js';
import { isSecretPath } from './secret-keys.js';
import { knownChildKeys, makeOverride, type ConfigOverride } from './config-override.js';

const PREFIX = 'A4C_';

/**
 * Reads `A4C_<section>__<key>[__<subkey>]` variables (e.g. `A4C_server__port=8089`,
 * `A4C_server__ssl__enabled=true`) and `A4C_<section>` for a whole section (e.g. a YAML flow list of
 * orchestrators). Other `A4C_*` variables without `__` are left alone: they may belong to scripts.
 */
export function parseEnvironment(env: Readonly<Record<string, string | undefined>>): { overrides: ConfigOverride[]; problems: ConfigProblem[] } {
  const overrides: ConfigOverride[] = [];
  const problems: ConfigProblem[] = [];
  const sections = knownChildKeys([]);
  for (const name of Object.keys(env).sort()) {
    const text = env[name];
    if (!name.startsWith(PREFIX) || text === undefined) continue;
    const segments = name.slice(PREFIX.length).split('__');
    if (segments.length > 1 && reservedSegmentOf(segments)) {
      problems.push({ path: name, message: reservedKeyMessage(text, isSecretPath(segments.join('.'))) });
      continue;
    }
    const isSection = sections.some((s) => s.toLowerCase() === segments[0].toLowerCase());
    if (!isSection) {
      if (segments.length > 1) problems.push(unknownSection(name, segments[0], sections));
      continue;
    }
    if (segments.some((s) => s.length === 0)) {
      problems.push({ path: name, message: 'empty key segment (use A4C_<section>__<key>)' });
      continue;
    }
    overrides.push(makeOverride(segments, text));
  }
  return { overrides, problems };
}

function unknownSection(variable: string, section: string, sections: readonly string[]): ConfigProblem {
  const suggestion = closestKey(section, sections);
  const hint = suggestion ? `did you mean ${suggestion}?` : `known sections: ${sections.join(', ')}`;
  return { path: variable, message: `unknown section "${section}" (${hint})` };
}
