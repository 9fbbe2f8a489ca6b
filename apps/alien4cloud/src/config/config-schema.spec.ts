import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem, type ConfigProblem } from './config-problem.js';
import { HA_DEFAULTS } from '@a4c/ha';
import { configSchema } from './config-schema.js';

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'a4c-schema-'));
  writeFileSync(join(cwd, 'server.key'), 'key');
  writeFileSync(join(cwd, 'server.crt'), 'crt');
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** Validates a raw config and returns the value and the problem lines. */
function check(raw: Record<string, unknown>) {
  const problems: ConfigProblem[] = [];
  const value = configSchema(raw, '', { problems, cwd });
  return { value, lines: problems.map(formatProblem) };
}

describe('config schema', () => {
  describe('server', () => {
    it.each([
      [{ port: 'abc' }, 'server.port: expected an integer 1-65535, got "abc"'],
      [{ port: 0 }, 'server.port: expected an integer 1-65535, got 0'],
      [{ port: 65536 }, 'server.port: expected an integer 1-65535, got 65536'],
      [{ port: 80.5 }, 'server.port: expected an integer 1-65535, got 80.5'],
      [{ host: '' }, 'server.host: expected a host name or IP address, got ""'],
      [{ host: 12 }, 'server.host: expected a host name or IP address, got 12'],
      [{ ssl: { enabled: 'yes' } }, 'server.ssl.enabled: expected true or false, got "yes"'],
      [{ ssl: { enabled: false, keyFile: 'missing.key' } }, 'server.ssl.keyFile: expected an existing file, got "missing.key"'],
      [{ ssl: [] }, 'server.ssl: expected a mapping, got []'],
    ])('refuses %j', (server, line) => {
      expect(check({ server }).lines).toEqual([line]);
    });

    it('requires both key and certificate when TLS is enabled', () => {
      expect(check({ server: { ssl: { enabled: true } } }).lines).toEqual([
        'server.ssl.keyFile: required when server.ssl.enabled is true',
        'server.ssl.certFile: required when server.ssl.enabled is true',
      ]);
    });

    it('resolves TLS files against the cwd', () => {
      const { value, lines } = check({ server: { port: 8443, ssl: { enabled: true, keyFile: 'server.key', certFile: 'server.crt' } } });
      expect(lines).toEqual([]);
      expect(value?.server.ssl).toEqual({ enabled: true, keyFile: join(cwd, 'server.key'), certFile: join(cwd, 'server.crt') });
    });
  });

  describe('directories', () => {
    it('resolves alien against the cwd and keeps absolute paths', () => {
      expect(check({ directories: { alien: 'x/y' } }).value?.directories.alien).toBe(join(cwd, 'x/y'));
      expect(check({ directories: { alien: '/srv/a4c' } }).value?.directories.alien).toBe('/srv/a4c');
    });

    it('refuses a non-string', () => {
      expect(check({ directories: { alien: 3 } }).lines).toEqual(['directories.alien: expected a directory path, got 3']);
    });
  });

  describe('elasticsearch', () => {
    it('accepts a comma-separated string of URLs', () => {
      expect(check({ elasticsearch: { urls: 'http://a:9200, https://b:9200' } }).value?.elasticsearch.urls).toEqual(['http://a:9200', 'https://b:9200']);
    });

    it.each([
      [{ urls: ['ftp://a'] }, 'elasticsearch.urls[0]: expected an http(s) URL, got "ftp://a"'],
      [{ urls: 5 }, 'elasticsearch.urls: expected a list of http(s) URLs, got 5'],
      [{ requestTimeoutInMillis: 0 }, 'elasticsearch.requestTimeoutInMillis: expected an integer 1-600000, got 0'],
      [{ indexPrefix: 'A4C-' }, 'elasticsearch.indexPrefix: expected lowercase letters, digits, ".", "_" or "-", starting with a letter or digit, got "A4C-"'],
      [{ indexPrefix: '_a' }, 'elasticsearch.indexPrefix: expected lowercase letters, digits, ".", "_" or "-", starting with a letter or digit, got "_a"'],
      [{ caFile: 'nope.pem' }, 'elasticsearch.caFile: expected an existing file, got "nope.pem"'],
      [{ username: 'elastic' }, 'elasticsearch.password: required when elasticsearch.username is set'],
      [{ password: 'pw' }, 'elasticsearch.username: required when elasticsearch.password is set'],
      [{ username: 'u', password: 'p', apiKey: 'k' }, 'elasticsearch.apiKey: use either elasticsearch.apiKey or elasticsearch.username/password, not both'],
    ])('refuses %j', (elasticsearch, line) => {
      expect(check({ elasticsearch }).lines).toEqual([line]);
    });
  });

  describe('orchestrators', () => {
    it('defaults pollIntervalInMillis and accepts an empty list', () => {
      expect(check({ orchestrators: [{ name: 'a' }] }).value?.orchestrators).toEqual([{ name: 'a', pollIntervalInMillis: 5000 }]);
      expect(check({ orchestrators: [] }).value?.orchestrators).toEqual([]);
      expect(check({ orchestrators: null }).value?.orchestrators).toEqual([]);
    });

    it.each([
      [[{ name: 'a b' }], 'orchestrators[0].name: expected 1-63 letters, digits, "-" or "_", starting with a letter or digit, got "a b"'],
      [[{ pollIntervalInMillis: 100 }], 'orchestrators[0].name: expected 1-63 letters, digits, "-" or "_", starting with a letter or digit, got nothing'],
      [[{ name: 'a', pollIntervalInMillis: 5 }], 'orchestrators[0].pollIntervalInMillis: expected an integer 10-86400000, got 5'],
      [[{ name: 'a' }, { name: 'a' }], 'orchestrators[1].name: duplicate orchestrator name "a"'],
      [[{ name: 'a', interval: 3 }], 'orchestrators[0].interval: unknown key (known keys: name, pollIntervalInMillis)'],
      [{ name: 'a' }, 'orchestrators: expected a list, got {"name":"a"}'],
    ])('refuses %j', (orchestrators, line) => {
      expect(check({ orchestrators }).lines).toEqual([line]);
    });
  });

  describe('ha (validated by libs/ha validateHaConfig)', () => {
    it('applies the HA defaults', () => {
      expect(check({}).value?.ha).toEqual(HA_DEFAULTS);
      expect(check({ ha: { consulAgentPort: 8501 } }).value?.ha).toEqual({ ...HA_DEFAULTS, consulAgentPort: 8501 });
    });

    it('reports the plugin\'s problems with their key, and typos', () => {
      expect(check({ ha: { consulAgentPort: 'x', consulAgentIP: 'a' } }).lines).toEqual([
        'ha.consulAgentPort: expected an integer 1-65535, got "x"',
        'ha.consulAgentIP: unknown key (did you mean consulAgentIp?)',
      ]);
    });

    it('never prints an ha secret', () => {
      expect(check({ ha: { consulToken: 42 } }).lines.join('\n')).not.toContain('42');
    });
  });

  describe('typos', () => {
    it.each([
      [{ server: { prot: 1 } }, 'server.prot: unknown key (did you mean port?)'],
      [{ server: { ssl: { enable: true } } }, 'server.ssl.enable: unknown key (did you mean enabled?)'],
      [{ elasticsearch: { url: ['http://a'] } }, 'elasticsearch.url: unknown key (did you mean urls?)'],
      [{ elasticsearch: { indexprefix: 'a' } }, 'elasticsearch.indexprefix: unknown key (did you mean indexPrefix?)'],
      [{ directories: { alein: 'x' } }, 'directories.alein: unknown key (did you mean alien?)'],
      [{ server: { bananas: 1 } }, 'server.bananas: unknown key (known keys: port, host, ssl)'],
      [{ sever: {} }, 'sever: unknown key (did you mean server?)'],
    ])('reports %j', (raw, line) => {
      expect(check(raw).lines).toEqual([line]);
    });
  });

  describe('secrets', () => {
    it('never prints a secret value', () => {
      const { lines } = check({ elasticsearch: { username: 'u', password: 12345, apiKey: ['k3y'] } });
      expect(lines).toEqual([
        'elasticsearch.password: expected a non-empty string, got <redacted>',
        'elasticsearch.apiKey: expected a non-empty string, got <redacted>',
      ]);
    });

    it('does not print the value of a misspelt secret key', () => {
      const { lines } = check({ elasticsearch: { pasword: 's3cret' } });
      expect(lines).toEqual(['elasticsearch.pasword: unknown key (did you mean password?)']);
    });

    it('hides credentials embedded in a URL', () => {
      const { lines } = check({ elasticsearch: { urls: ['ftp://user:s3cret@host'] } });
      expect(lines).toEqual(['elasticsearch.urls[0]: expected an http(s) URL, got "ftp://<redacted>@host"']);
    });
  });
});
