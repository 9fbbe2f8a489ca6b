import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HA_DEFAULTS } from '@a4c/ha';
import { formatProblem } from './config-problem.js';
import { loadConfig } from './load-config.js';

describe('loadConfig', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'a4c-config-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const writeConfig = (text: string, name = 'a4c.yml') => {
    writeFileSync(join(cwd, name), text);
    return name;
  };
  const lines = (result: ReturnType<typeof loadConfig>) => result.problems.map(formatProblem);

  it('uses every default when the default file is absent', () => {
    const result = loadConfig({ argv: [], env: {}, cwd });
    expect(result.problems).toEqual([]);
    expect(result.configFile).toBeUndefined();
    expect(result.config).toEqual({
      server: { port: 8088, host: '0.0.0.0', ssl: { enabled: false } },
      directories: { alien: join(cwd, 'data/alien') },
      elasticsearch: { urls: [], requestTimeoutInMillis: 10000, indexPrefix: 'a4c-' },
      orchestrators: [{ name: 'local', pollIntervalInMillis: 5000 }],
      logging: { format: 'text' },
      ha: HA_DEFAULTS,
    });
  });

  it('reads config/alien4cloud-config.yml relative to the cwd by default', () => {
    mkdirSync(join(cwd, 'config'));
    writeConfig('server:\n  port: 9000\n', 'config/alien4cloud-config.yml');
    const result = loadConfig({ argv: [], env: {}, cwd });
    expect(result.config?.server.port).toBe(9000);
    expect(result.configFile).toBe(join(cwd, 'config/alien4cloud-config.yml'));
  });

  it('reads the repository default file without a problem', () => {
    const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
    const result = loadConfig({ argv: [], env: {}, cwd: repoRoot });
    expect(result.problems).toEqual([]);
    expect(result.config?.server.port).toBe(8088);
    expect(result.config?.ha.ha_enabled).toBe(false);
  });

  it('applies file < environment < command line', () => {
    const file = writeConfig('server:\n  port: 9000\n  host: 10.0.0.1\ndirectories:\n  alien: ./from-file\n');
    const env = { A4C_server__port: '9001', A4C_server__host: '10.0.0.2' };
    const result = loadConfig({ argv: ['--config', file, '--server.port=9002'], env, cwd });
    expect(result.problems).toEqual([]);
    expect(result.config?.server).toEqual({ port: 9002, host: '10.0.0.2', ssl: { enabled: false } });
    expect(result.config?.directories.alien).toBe(join(cwd, 'from-file'));
  });

  it('accepts --config=FILE and reads environment and command-line values as YAML scalars', () => {
    const file = writeConfig('');
    const env = { A4C_ha__ha_enabled: 'true', A4C_elasticsearch__urls: '[http://a:9200, http://b:9200]' };
    const argv = [`--config=${file}`, '--ha.instanceIp=127.0.0.1', '--server.ssl.enabled=false'];
    const result = loadConfig({ argv, env, cwd });
    expect(result.problems).toEqual([]);
    expect(result.config?.ha).toEqual({ ...HA_DEFAULTS, ha_enabled: true, instanceIp: '127.0.0.1' });
    expect(result.config?.elasticsearch.urls).toEqual(['http://a:9200', 'http://b:9200']);
  });

  it('maps upper-case environment variables onto the camel-case keys', () => {
    const env = { A4C_SERVER__PORT: '8090', A4C_HA__CONSULAGENTIP: 'consul.local', A4C_ELASTICSEARCH__INDEXPREFIX: 'x-' };
    const result = loadConfig({ argv: [], env, cwd });
    expect(result.problems).toEqual([]);
    expect(result.config?.server.port).toBe(8090);
    expect(result.config?.ha.consulAgentIp).toBe('consul.local');
    expect(result.config?.elasticsearch.indexPrefix).toBe('x-');
  });

  it('ignores unrelated A4C_ variables but reports a misspelt section', () => {
    const result = loadConfig({ argv: [], env: { A4C_HOME: '/opt/a4c', A4C_sever__port: '1', PATH: '/bin' }, cwd });
    expect(lines(result)).toEqual(['A4C_sever__port: unknown section "sever" (did you mean server?)']);
  });

  it('keeps a secret from the environment verbatim (a numeric password stays a string)', () => {
    const env = { A4C_elasticsearch__username: 'elastic', A4C_elasticsearch__password: '123456' };
    const result = loadConfig({ argv: [], env, cwd });
    expect(result.config?.elasticsearch.password).toBe('123456');
    expect(loadConfig({ argv: ['--elasticsearch.apiKey='], env: {}, cwd }).config?.elasticsearch.apiKey).toBeUndefined();
  });

  it('lets the command line tune the default orchestrator list', () => {
    const result = loadConfig({ argv: ['--orchestrators.0.pollIntervalInMillis=100'], env: {}, cwd });
    expect(result.config?.orchestrators).toEqual([{ name: 'local', pollIntervalInMillis: 100 }]);
  });

  it('takes a whole list from one environment variable', () => {
    const env = { A4C_orchestrators: '[{name: a, pollIntervalInMillis: 50}, {name: b}]' };
    const result = loadConfig({ argv: [], env, cwd });
    expect(result.config?.orchestrators).toEqual([
      { name: 'a', pollIntervalInMillis: 50 },
      { name: 'b', pollIntervalInMillis: 5000 },
    ]);
  });

  it('refuses a missing file named with --config', () => {
    const result = loadConfig({ argv: ['--config', 'nope.yml'], env: {}, cwd });
    expect(result.config).toBeUndefined();
    expect(lines(result)).toEqual([`--config: file not found: "${join(cwd, 'nope.yml')}"`]);
  });

  it('reports malformed arguments', () => {
    const result = loadConfig({ argv: ['--server.port', '8089', '--config'], env: {}, cwd });
    expect(lines(result)).toEqual([
      'command line: expected --config FILE or --dotted.key=value (see --help), got "--server.port"',
      'command line: expected --config FILE or --dotted.key=value (see --help), got "8089"',
      '--config: expected a file path after --config',
    ]);
  });

  it('reports invalid YAML with its position but without the source excerpt', () => {
    const file = writeConfig('elasticsearch:\n  password: "s3cret\n');
    const result = loadConfig({ argv: ['--config', file], env: {}, cwd });
    expect(result.problems.length).toBeGreaterThan(0);
    expect(lines(result).join('\n')).toContain(`${join(cwd, file)}: invalid YAML`);
    expect(lines(result).join('\n')).not.toContain('s3cret');
  });

  it('reports an alias without its anchor as invalid YAML, not a ReferenceError (found by the property test)', () => {
    const file = writeConfig('base: &anchor\n  x: 1\nother: *missing\n');
    expect(lines(loadConfig({ argv: ['--config', file], env: {}, cwd }))).toEqual([
      `${join(cwd, file)}: invalid YAML: Unresolved alias (the anchor must be set before the alias): missing`,
    ]);
  });

  it('refuses a file whose top level is not a mapping', () => {
    const file = writeConfig('- a\n- b\n');
    expect(lines(loadConfig({ argv: ['--config', file], env: {}, cwd }))).toEqual([`${join(cwd, file)}: expected a YAML mapping of sections at the top level`]);
  });

  it('reports every problem of every source at once', () => {
    const file = writeConfig('server:\n  prot: 80\n');
    const result = loadConfig({ argv: ['--config', file, '--server.port=abc'], env: { A4C_elasticsearch__requestTimeoutInMillis: '-1' }, cwd });
    expect(lines(result)).toEqual([
      'server.prot: unknown key (did you mean port?)',
      'server.port: expected an integer 1-65535, got "abc"',
      'elasticsearch.requestTimeoutInMillis: expected an integer 1-600000, got -1',
    ]);
  });

  describe('reserved key segments (never a TypeError, never a changed prototype)', () => {
    const expected = 'expected a key path without "__proto__", "constructor" or "prototype" segments';
    afterEach(() => expect(({} as Record<string, unknown>).x).toBeUndefined());

    it.each([
      ['--__proto__.x=1', '__proto__.x: ' + expected + ', got "1"'],
      ['--constructor.prototype.x=1', 'constructor.prototype.x: ' + expected + ', got "1"'],
      ['--ha.__proto__.x=1', 'ha.__proto__.x: ' + expected + ', got "1"'],
      ['--server.constructor=1', 'server.constructor: ' + expected + ', got "1"'],
      ['--ha.adminToken.__proto__=s3cret', 'ha.adminToken.__proto__: ' + expected + ', got <redacted>'],
    ])('command line %s', (arg, line) => {
      const result = loadConfig({ argv: [arg], env: {}, cwd });
      expect(result.config).toBeUndefined();
      expect(lines(result)).toEqual([line]);
    });

    it.each([
      ['A4C_ha__constructor__prototype__x', 'A4C_ha__constructor__prototype__x: ' + expected + ', got "1"'],
      ['A4C_constructor__prototype', 'A4C_constructor__prototype: ' + expected + ', got "1"'],
      ['A4C_server__PROTOTYPE', 'A4C_server__PROTOTYPE: ' + expected + ', got "1"'],
    ])('environment %s', (name, line) => {
      expect(lines(loadConfig({ argv: [], env: { [name]: '1' }, cwd }))).toEqual([line]);
    });

    it('in the YAML file, at any depth, each named once', () => {
      const file = writeConfig('__proto__:\n  x: 1\nconstructor:\n  prototype:\n    x: 1\nha:\n  __proto__:\n    y: 2\norchestrators:\n  - name: a\n    prototype: 3\n');
      expect(lines(loadConfig({ argv: ['--config', file], env: {}, cwd }))).toEqual([
        `__proto__: ${expected}, got {"x":1}`,
        `constructor: ${expected}, got {"prototype":{"x":1}}`,
        `ha.__proto__: ${expected}, got {"y":2}`,
        `orchestrators[0].prototype: ${expected}, got 3`,
      ]);
    });

    it('a list index past the end or a non-index inside a list is a problem, not a RangeError or a sparse list', () => {
      expect(lines(loadConfig({ argv: ['--orchestrators.length=0', '--orchestrators.99999999.name=x'], env: {}, cwd }))).toEqual([
        'orchestrators.length: expected a list index 0-1, got "length"',
        'orchestrators.99999999: expected a list index 0-1, got "99999999"',
      ]);
      expect(loadConfig({ argv: ['--orchestrators.1.name=b'], env: {}, cwd }).config?.orchestrators.map((o) => o.name)).toEqual(['local', 'b']);
    });
  });

  it('reads the flags without treating them as keys', () => {
    const result = loadConfig({ argv: ['--check-config', '--help', '--version', '--server.port=9000'], env: {}, cwd });
    expect(result.problems).toEqual([]);
    expect(result.flags).toEqual({ help: true, version: true, checkConfig: true });
  });
});
