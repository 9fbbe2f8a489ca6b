import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HA_KEYS } from '@a4c/ha';
import { CONFIG_DEFAULTS } from './config-defaults.js';
import { configSchema } from './config-schema.js';
import type { Validator } from './validators.js';

/** `--help`: the options, the exit codes and every configuration key (from the schema, so never stale). */
export function helpText(): string {
  const sections = Object.entries(configSchema.fields ?? {}).flatMap(([section, validator]) => {
    const keys = section === 'ha' ? HA_KEYS : keysOf(validator);
    return wrap(`  ${section}: ${keys.join(', ') || 'a list of { name, pollIntervalInMillis }'}`, 100, '      ');
  });
  return [
    'Usage: node dist/apps/alien4cloud/main.js [options] [--dotted.key=value ...]',
    '',
    'Options:',
    `  --config FILE          YAML configuration file (default ${CONFIG_DEFAULTS.configFile}; absent = all defaults)`,
    '  --some.key=value       override one key, e.g. --server.port=8089 --ha.instanceIp=10.0.0.5',
    '  --check-config         validate file + environment + command line + key/trust stores, print',
    '                         "configuration OK" or the problems, start nothing',
    '  --version              print the version',
    '  -h, --help             print this help',
    '',
    'Precedence: file < environment (A4C_<section>__<key>, e.g. A4C_server__port=8089) < command line.',
    'Exit codes: 0 normal stop (SIGTERM/SIGINT) or --check-config OK; 2 bad configuration or key/trust',
    'store (one line per problem); 3 the full graph did not close in time; 1 any other startup failure.',
    '',
    'Configuration keys (see README.md for defaults and meaning):',
    ...sections,
    '',
  ].join('\n');
}

/** `  section: a, b, c` cut into lines of at most `width` characters, continuation lines indented. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.trimStart().split(' ')) {
    const next = line ? `${line} ${word}` : `  ${word}`;
    if (next.length > width && line) {
      lines.push(line);
      line = `${indent}${word}`;
    } else line = next;
  }
  return [...lines, line];
}

function keysOf(validator: Validator<unknown>, prefix = ''): string[] {
  return Object.entries(validator.fields ?? {}).flatMap(([key, child]) =>
    child.fields ? keysOf(child, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** `--version`: the version of the package this file was built from (nearest package.json with one). */
export function versionText(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof manifest.version === 'string') return `alien4cloud ${manifest.version}\n`;
    } catch {
      // no (readable) package.json here: look further up
    }
    if (dirname(dir) === dir) return 'alien4cloud (unknown version)\n';
  }
}
