import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HA_KEYS } from '../../libs/ha/src/config/ha-config-fields.js';
import { haKeys } from './config-tables.js';
import { blocksIn, GENERATED_DOCS, regenerate } from './generated-docs.js';
import { HA_DEFAULTS } from '../../libs/ha/src/config/ha-defaults.js';
import { seconds, timingFigures } from './timing-figures.js';

const root = process.cwd();
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** What is left of a doc once its generated blocks and marked figures are taken out: the hand-written prose. */
function prose(text: string): string {
  return text.replace(/<!-- BEGIN generated: ([\w-]+)[\s\S]*?<!-- END generated: \1 -->/g, '').replace(/<!--fig:[\w@-]+-->.*?<!--\/fig-->/g, '<fig>');
}

/** A timing figure quoted right after words that name a derived timing, outside a figure marker. */
const UNMARKED_TIMING = /(renew deadline|renewed every|renew every|retr(?:y|ied|ies)(?: a failed renew)? every|bounded by|capped at|half the lease|lease\/2)\b[^.|<]{0,30}?\b\d+(?:\.\d+)? ?(?:s|ms)\b/gi;

describe('docs figures come from the code (tools/docs, npm run docs)', () => {
  it.each(GENERATED_DOCS)('%s: every generated table and timing figure is what the code gives (run `npm run docs` to rewrite)', (file) => {
    const text = read(file);
    expect(regenerate(text, root)).toBe(text);
  });

  it('the configuration tables are generated where docs show them', () => {
    expect(blocksIn(read('README.md'))).toEqual(expect.arrayContaining(['ha-keys']));
    expect(blocksIn(read('libs/ha/README.md'))).toEqual(expect.arrayContaining(['ha-keys-unprefixed']));
    expect(blocksIn(read('docs/migrating-from-a4c.md'))).toEqual(expect.arrayContaining(['a4c-original-keys', 'added-keys']));
    expect(blocksIn(read('docs/operations.md'))).toEqual(expect.arrayContaining(['default-timings']));
  });

  it('every configuration key has its line, from its comment in HaConfig', () => {
    const keys = haKeys(root);
    expect(keys.map((k) => k.key)).toEqual([...HA_KEYS]);
    for (const key of keys) expect({ key: key.key, text: key.text.length > 10 }).toEqual({ key: key.key, text: true });
    // A4C's own keys, as its plugin shipped them: the migration guide's first table
    expect(keys.filter((k) => k.origin === 'a4c').map((k) => k.key).sort()).toEqual([
      'consulAgentIp', 'consulAgentPort', 'consulConnectTimeoutInMillis', 'consulLockDelayInSecond', 'consulQueryTimeoutInMin',
      'consulReadTimeoutInMillis', 'consulSessionTTLInSecond', 'consul_tls_enabled', 'ha_enabled', 'healthCheckPeriodInSecond',
      'health_disk_space_threshold', 'instanceIp', 'keyStorePath', 'keyStoresPwd', 'lockAcquisitionDelayInSecond', 'serverProtocol',
      'trustStorePath',
    ]);
  });

  it.each(GENERATED_DOCS)('%s: no derived timing is quoted by hand (mark it <!--fig:NAME-->)', (file) => {
    const unmarked = [...prose(read(file)).matchAll(UNMARKED_TIMING)].map((m) => m[0]);
    expect(unmarked).toEqual([]);
  });

  it('config/alien4cloud-config.yml shows every ha default it mentions as the code has it', () => {
    const text = read('config/alien4cloud-config.yml');
    const section = text.slice(text.indexOf('\nha:\n'));
    const shown = [...section.matchAll(/^ {2}(?:# )?([A-Za-z_]+): (\S+)/gm)].map((m) => [m[1]!, m[2]!] as const);
    const defaults = HA_DEFAULTS as Readonly<Record<string, unknown>>;
    const figures = timingFigures();
    const expected = (key: string) => (key === 'leaderLeaseInSecond' ? figures.lease!.replace(/ s$/, '') : String(defaults[key]));
    const checked = shown.filter(([key, value]) => value !== '...' && (key in defaults || key === 'leaderLeaseInSecond'));
    expect(checked.length).toBeGreaterThan(20);
    expect(checked.filter(([key, value]) => value !== expected(key))).toEqual([]);
    expect(shown.map(([key]) => key).filter((key) => !(HA_KEYS as readonly string[]).includes(key))).toEqual([]);
  });

  it('quotes durations as docs write them', () => {
    expect([45_000, 6250, 3333, 500, 196_250].map(seconds)).toEqual(['45 s', '6.25 s', '3.333 s', '0.5 s', '196.25 s']);
  });
});
