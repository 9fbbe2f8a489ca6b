import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from './config-problem.js';
import { loadConfig, type LoadConfigResult } from './load-config.js';

// Property-based: random and mutated command lines, A4C_ environments and YAML files. loadConfig
// never throws (its typed result is the config or a list of one-line problems), never changes a
// prototype, and no case takes 2 s. Fixed seeds: a failure prints its seed and counterexample.
const SEED = 20261313;
const CASE_BUDGET_MS = 2_000;

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'a4c-config-fuzz-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const KNOWN = ['server', 'port', 'host', 'ssl', 'enabled', 'keyFile', 'directories', 'alien', 'elasticsearch', 'urls', 'password', 'orchestrators', '0', '1', '7', 'name',
  'logging', 'format', 'ha', 'ha_enabled', 'instanceIp', 'consulAgentPort', 'adminToken', 'consulToken', 'length'];
const NASTY = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'PROTOTYPE', '99999999999', ''];
const segmentArb = fc.oneof(fc.constantFrom(...KNOWN), fc.constantFrom(...NASTY), fc.string({ maxLength: 8 }));
const valueArb = fc.oneof(
  fc.constantFrom('', '1', '-1', '8089', 'true', 'null', '~', '[]', '{}', '[a, b]', '{a: 1}', '*a', '&a [*a]', '!!js/function x', 'http://u:p@h:1', '1e400', '0x10'),
  fc.string({ maxLength: 40 }),
);
const argArb = fc.oneof(
  fc.tuple(fc.array(segmentArb, { minLength: 1, maxLength: 5 }), valueArb).map(([path, value]) => `--${path.join('.')}=${value}`),
  fc.constantFrom('--config', '--help', '--check-config', '--', '-', '--=', '--.=x', '--a..b=1'),
  fc.string({ maxLength: 20 }),
);
const envArb = fc.dictionary(
  fc.oneof(fc.array(segmentArb, { minLength: 1, maxLength: 4 }).map((path) => `A4C_${path.join('__')}`), fc.string({ maxLength: 10 })),
  valueArb,
  { maxKeys: 6 },
);

/** loadConfig with a time bound, and the checks every result must pass. */
function check(run: () => LoadConfigResult): void {
  const started = performance.now();
  const result = run();
  const elapsed = performance.now() - started;
  if (elapsed > CASE_BUDGET_MS) throw new Error(`loadConfig took ${elapsed.toFixed(0)} ms`);
  expect(result.config === undefined).toBe(result.problems.length > 0);
  for (const problem of result.problems) expect(formatProblem(problem)).not.toContain('\n'); // one line each
  for (const probe of [{}, [], Object.create(Object.prototype) as object]) {
    expect(Object.keys(Object.getPrototypeOf(probe) as object)).toEqual([]); // no prototype gained a key
  }
}

const VALID_YAML = `server:
  port: 9000
  host: 127.0.0.1
directories:
  alien: ./data
elasticsearch:
  urls: [http://a:9200]
  username: elastic
  password: s3cret
orchestrators:
  - name: a
    pollIntervalInMillis: 100
logging:
  format: json
ha:
  ha_enabled: true
  instanceIp: 10.0.0.1
  consulAgentPort: 8500
  adminToken: t0ken
base: &anchor
  x: 1
other: *anchor
`;

describe('loadConfig under random and mutated input', () => {
  it(`random command lines and environments (seed ${SEED}, 2000 runs)`, () => {
    fc.assert(
      fc.property(fc.array(argArb, { maxLength: 6 }), envArb, (argv, env) => check(() => loadConfig({ argv, env, cwd }))),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it(`mutated and random YAML files (seed ${SEED + 1}, 1000 runs)`, () => {
    const file = join(cwd, 'fuzz.yml');
    const edit = fc.oneof(
      fc.record({ at: fc.nat(), remove: fc.integer({ min: 0, max: 8 }), insert: fc.oneof(fc.constantFrom('__proto__', 'constructor:', 'prototype:', ':', '- ', '\n  ', '*anchor', '&x', '!!binary', '{', '[', '"', "'", '\t', '? ', '<<: *anchor', '\u0000'), fc.string({ maxLength: 6 })) }),
    );
    const textArb = fc.oneof(
      fc.array(edit, { minLength: 1, maxLength: 5 }).map((edits) =>
        edits.reduce((text, { at, remove, insert }) => {
          const i = at % (text.length + 1);
          return text.slice(0, i) + insert + text.slice(i + remove);
        }, VALID_YAML),
      ),
      fc.string({ maxLength: 300 }),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        writeFileSync(file, text);
        check(() => loadConfig({ argv: ['--config', file], env: {}, cwd }));
      }),
      { seed: SEED + 1, numRuns: 1000 },
    );
  });
});
