import { describe, expect, it } from '@jest/globals';
import { isSecretPath, redactConfig, redactText } from './secret-keys.js';

describe('secret keys', () => {
  it.each(['elasticsearch.password', 'elasticsearch.apiKey', 'ha.keyStoresPwd', 'ha.keyStorePwd', 'ha.trustStorePwd', 'ha.consulToken', 'ha.adminToken'])(
    '%s is a secret',
    (path) => expect(isSecretPath(path)).toBe(true),
  );

  it.each(['elasticsearch.username', 'ha.keyStorePath', 'server.port', 'password', 'ha'])('%s is not a secret', (path) => expect(isSecretPath(path)).toBe(false));

  it('redacts a whole config for logging', () => {
    const config = {
      elasticsearch: { urls: ['https://u:p@es:9200'], username: 'u', password: 'p', apiKey: undefined },
      ha: { consulToken: 't', consulAgentIp: 'localhost' },
    };
    expect(redactConfig(config)).toEqual({
      elasticsearch: { urls: ['https://<redacted>@es:9200'], username: 'u', password: '<redacted>', apiKey: undefined },
      ha: { consulToken: '<redacted>', consulAgentIp: 'localhost' },
    });
    expect(config.elasticsearch.password).toBe('p'); // a copy, not in place
  });

  it('redacts URL credentials in free text', () => {
    expect(redactText('connect to http://elastic:changeme@10.0.0.1:9200 failed')).toBe('connect to http://<redacted>@10.0.0.1:9200 failed');
  });
});
