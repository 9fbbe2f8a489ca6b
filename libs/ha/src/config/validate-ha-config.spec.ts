import { describe, expect, it } from '@jest/globals';
import { HA_DEFAULTS } from './ha-defaults.js';
import { validateHaConfig } from './validate-ha-config.js';

/** A valid enabled config, so each row below breaks exactly one thing. */
const BASE = { ha_enabled: true, instanceIp: '10.0.0.5' };

const problemsOf = (overrides: Record<string, unknown>) => validateHaConfig({ ...BASE, ...overrides }).problems;

describe('validateHaConfig: defaults and coercion', () => {
  it.each([undefined, null, {}])('applies every default to %p', (raw) => {
    expect(validateHaConfig(raw)).toEqual({ config: { ...HA_DEFAULTS }, problems: [] });
  });

  it('keeps A4C defaults', () => {
    expect(HA_DEFAULTS).toMatchObject({
      ha_enabled: false,
      consulAgentIp: 'localhost',
      consulAgentPort: 8500,
      healthCheckPeriodInSecond: 5,
      consulSessionTTLInSecond: 60,
      consulLockDelayInSecond: 0,
      lockAcquisitionDelayInSecond: 20,
      consul_tls_enabled: false,
      serverProtocol: 'http',
      health_disk_space_threshold: 10485760,
      health_es_timeout: 1000,
      consulQueryTimeoutInMin: 3,
      consulConnectTimeoutInMillis: 30000,
      consulReadTimeoutInMillis: 300000,
      serviceName: 'a4c',
      leaderKey: 'service/a4c/leader',
      activationTimeoutInSecond: 60,
      drainTimeoutInMillis: 5000,
    });
  });

  it.each<[string, unknown, unknown]>([
    ['consulAgentPort', '8500', 8500],
    ['consulAgentPort', ' 8501 ', 8501],
    ['ha_enabled', 'true', true],
    ['ha_enabled', 'FALSE', false],
    ['consul_tls_enabled', false, false],
    ['peerCrashDetection', 'false', false],
    ['consulQueryTimeoutInMin', '0.5', 0.5],
    ['consulSessionTTLInSecond', '20', 20],
    ['health_disk_space_threshold', '0', 0],
    ['consulLockDelayInSecond', 60, 60],
    ['serverProtocol', 'https', 'https'],
    ['leaderKey', 'a4c/prod-1/leader.lock', 'a4c/prod-1/leader.lock'],
    ['instanceId', 'a4c-node_1.eu', 'a4c-node_1.eu'],
    ['consulAgentIp', '::1', '::1'],
    ['consulAgentIp', 'consul.service.dc1.consul', 'consul.service.dc1.consul'],
  ])('accepts %s = %p as %p', (key, raw, value) => {
    const { config, problems } = validateHaConfig({ ...BASE, [key]: raw });
    expect(problems).toEqual([]);
    expect(config[key as keyof typeof config]).toEqual(value);
  });

  it('treats null as unset, and "" as unset for optional keys only', () => {
    const { config, problems } = validateHaConfig({ ...BASE, consulAgentPort: null, consulToken: '', consulDatacenter: '' });
    expect(config.consulAgentPort).toBe(8500);
    expect(config.consulToken).toBeUndefined();
    expect(problems).toEqual([]);
    expect(problemsOf({ consulAgentPort: '' })).toEqual(['ha.consulAgentPort: expected an integer 1-65535, got ""']);
  });

  it('lets stepDownHoldOffInSecond follow lockAcquisitionDelayInSecond unless set', () => {
    expect(validateHaConfig({ lockAcquisitionDelayInSecond: 7 }).config.stepDownHoldOffInSecond).toBe(7);
    expect(validateHaConfig({ lockAcquisitionDelayInSecond: 7, stepDownHoldOffInSecond: 0 }).config.stepDownHoldOffInSecond).toBe(0);
  });
});

describe('validateHaConfig: single-key rules', () => {
  it.each<[string, unknown, string]>([
    ['ha_enabled', 'yes', 'expected true or false, got "yes"'],
    ['consulAgentIp', 'http://consul', 'expected a host name or IP address, got "http://consul"'],
    ['consulAgentPort', 'abc', 'expected an integer 1-65535, got "abc"'],
    ['consulAgentPort', 0, 'expected an integer 1-65535, got 0'],
    ['consulAgentPort', 65536, 'expected an integer 1-65535, got 65536'],
    ['consulAgentPort', 80.5, 'expected an integer 1-65535, got 80.5'],
    ['instanceIp', '10.0.0.5 ', 'expected a host name or IP address, got "10.0.0.5 "'],
    ['instanceCheckIp', 'a_b', 'expected a host name or IP address, got "a_b"'],
    ['healthCheckPeriodInSecond', 0, "expected an integer 1-86400 (Consul's minimum check interval is 1 s), got 0"],
    ['consulSessionTTLInSecond', 9, "expected an integer 10-86400 (Consul's session TTL range), got 9"],
    ['consulSessionTTLInSecond', 86401, "expected an integer 10-86400 (Consul's session TTL range), got 86401"],
    ['consulLockDelayInSecond', 61, 'expected an integer 0-60 (Consul clamps lock-delay at 60 s), got 61'],
    ['consulLockDelayInSecond', -1, 'expected an integer 0-60 (Consul clamps lock-delay at 60 s), got -1'],
    ['lockAcquisitionDelayInSecond', 0, 'expected an integer 1-86400, got 0'],
    ['consul_tls_enabled', 1, 'expected true or false, got 1'],
    ['keyStorePath', ' ', 'expected a non-empty string without leading or trailing spaces, got " "'],
    ['trustStorePath', 42, 'expected a non-empty string without leading or trailing spaces, got 42'],
    ['serverProtocol', 'ftp', 'expected http or https, got "ftp"'],
    ['peerCrashDetection', 'sometimes', 'expected true or false, got "sometimes"'],
    ['serverProtocol', 'HTTP', 'expected http or https, got "HTTP"'],
    ['health_disk_space_threshold', -1, 'expected an integer 0-9007199254740991, got -1'],
    ['health_es_timeout', 0, 'expected an integer 1-2147483647, got 0'],
    ['consulQueryTimeoutInMin', 0, 'expected a number > 0 and <= 10 (Consul caps blocking waits at 10 min), got 0'],
    ['consulQueryTimeoutInMin', '11', 'expected a number > 0 and <= 10 (Consul caps blocking waits at 10 min), got "11"'],
    ['consulConnectTimeoutInMillis', 2 ** 31, 'expected an integer 1-2147483647, got 2147483648'],
    ['consulReadTimeoutInMillis', 'soon', 'expected an integer 1-2147483647, got "soon"'],
    ['serviceName', 'a4c_prod', 'expected a DNS label of [A-Za-z0-9-], 1-63 characters, got "a4c_prod"'],
    ['instanceId', 'a'.repeat(65), `expected 1-64 characters of [A-Za-z0-9._-], got "${'a'.repeat(59)}...`],
    ['instanceId', 'node 1', 'expected 1-64 characters of [A-Za-z0-9._-], got "node 1"'],
    ['consulDatacenter', 'dc.1', 'expected a datacenter name of [A-Za-z0-9_-], got "dc.1"'],
    ['activationTimeoutInSecond', 0, 'expected an integer 1-2147483, got 0'],
    ['drainTimeoutInMillis', -5, 'expected an integer 0-2147483647, got -5'],
    ['stepDownHoldOffInSecond', 'x', 'expected an integer 0-2147483, got "x"'],
  ])('rejects %s = %p', (key, value, message) => {
    expect(problemsOf({ [key]: value })).toEqual([`ha.${key}: ${message}`]);
  });

  it.each(['/service/a4c/leader', 'service/../leader', 'service//leader', 'service/a4c leader', 'service/a4c/léader', '..'])(
    'rejects leaderKey %p (Consul 1.21.5 key rules)',
    (leaderKey) => {
      expect(problemsOf({ leaderKey })).toEqual([
        `ha.leaderKey: expected a Consul key of [A-Za-z0-9._/-] without a leading "/", "//" or "..", got ${JSON.stringify(leaderKey)}`,
      ]);
    },
  );

  it.each(['keyStoresPwd', 'keyStorePwd', 'trustStorePwd', 'consulToken', 'adminToken'])('never echoes secret %s', (key) => {
    const problems = problemsOf({ [key]: ' s3cr3t-value ' });
    expect(problems).toEqual([`ha.${key}: expected a non-empty string without leading or trailing spaces, got <redacted>`]);
    expect(problems.join()).not.toContain('s3cr3t');
  });

  it('reports every problem, not only the first, and uses the given path', () => {
    const { problems } = validateHaConfig({ consulAgentPort: 'abc', serverProtocol: 'ftp', consulAgentPrt: 1 }, 'app.ha');
    expect(problems).toEqual([
      'app.ha.consulAgentPort: expected an integer 1-65535, got "abc"',
      'app.ha.serverProtocol: expected http or https, got "ftp"',
      'app.ha.consulAgentPrt: unknown key (did you mean consulAgentPort?)',
    ]);
  });

  it.each<[unknown, string]>([
    ['ha_enabled: true', 'ha: expected a map of HA settings, got "ha_enabled: true"'],
    [[1], 'ha: expected a map of HA settings, got [1]'],
    [true, 'ha: expected a map of HA settings, got true'],
  ])('rejects a section that is not a map: %p', (raw, message) => {
    expect(validateHaConfig(raw).problems).toEqual([message]);
  });
});

describe('validateHaConfig: unknown keys', () => {
  it.each<[string, string]>([
    ['consulAgentPrt', 'ha.consulAgentPrt: unknown key (did you mean consulAgentPort?)'],
    ['haEnabled', 'ha.haEnabled: unknown key (did you mean ha_enabled?)'],
    ['consulsessionttlinsecond', 'ha.consulsessionttlinsecond: unknown key (did you mean consulSessionTTLInSecond?)'],
    ['trustStorPwd', 'ha.trustStorPwd: unknown key (did you mean trustStorePwd?)'],
    ['port', 'ha.port: unknown key'],
    ['constructor', 'ha.constructor: unknown key'],
  ])('reports %s', (key, message) => {
    expect(problemsOf({ [key]: 'x' })).toEqual([message]);
  });
});

describe('validateHaConfig: cross-key rules', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['check period equal to the TTL', { healthCheckPeriodInSecond: 60 }, ['ha.healthCheckPeriodInSecond: expected less than consulSessionTTLInSecond (60), got 60']],
    ['check period just under the TTL', { healthCheckPeriodInSecond: 59 }, []],
    ['check period over a short TTL', { consulSessionTTLInSecond: 20, healthCheckPeriodInSecond: 22 }, ['ha.healthCheckPeriodInSecond: expected less than consulSessionTTLInSecond (20), got 22']],
    [
      'read timeout not above wait + wait/16 + hold',
      { consulReadTimeoutInMillis: 196250 },
      ['ha.consulReadTimeoutInMillis: expected more than 196250 (consulQueryTimeoutInMin 3 min + 1/16 jitter + 5 s server hold), got 196250'],
    ],
    ['read timeout just above', { consulReadTimeoutInMillis: 196251 }, []],
    [
      'read timeout with a 10 min wait',
      { consulQueryTimeoutInMin: 10 },
      ['ha.consulReadTimeoutInMillis: expected more than 642500 (consulQueryTimeoutInMin 10 min + 1/16 jitter + 5 s server hold), got 300000'],
    ],
    ['no instanceIp when enabled', { instanceIp: undefined }, ['ha.instanceIp: expected a host name or IP address (required when ha_enabled is true), got nothing']],
    ['no instanceIp when disabled', { ha_enabled: false, instanceIp: undefined }, []],
    ['disabled still type-checks', { ha_enabled: false, instanceIp: undefined, consulAgentPort: 'x' }, ['ha.consulAgentPort: expected an integer 1-65535, got "x"']],
    [
      'TLS without a trust store',
      { consul_tls_enabled: 'true', keyStorePath: '/etc/a4c/client.p12' },
      ["ha.trustStorePath: expected the trust store holding the CA of Consul's certificate (required when consul_tls_enabled is true), got nothing"],
    ],
    ['TLS with a trust store and no key store', { consul_tls_enabled: true, trustStorePath: '/etc/a4c/ca.pem' }, []],
    ['stores without TLS are ignored', { keyStorePath: '/k.p12' }, []],
  ])('%s', (_name, overrides, expected) => {
    expect(problemsOf(overrides)).toEqual(expected);
  });

  it('skips a cross-key rule when one of its keys is already invalid', () => {
    expect(problemsOf({ consulSessionTTLInSecond: 5, healthCheckPeriodInSecond: 30 })).toEqual([
      "ha.consulSessionTTLInSecond: expected an integer 10-86400 (Consul's session TTL range), got 5",
    ]);
    expect(problemsOf({ consulQueryTimeoutInMin: 20, consulReadTimeoutInMillis: 1000 })).toEqual([
      'ha.consulQueryTimeoutInMin: expected a number > 0 and <= 10 (Consul caps blocking waits at 10 min), got 20',
    ]);
  });
});
