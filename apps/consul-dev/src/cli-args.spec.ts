import { describe, expect, it } from '@jest/globals';
import { parseCliArgs } from './cli-args.js';

describe('parseCliArgs', () => {
  it('reads every option, with repeatable and comma-separated ACL tokens', () => {
    expect(
      parseCliArgs(['--port', '8501', '--control-port=9000', '--acl-token', 'a,b', '--acl-token', 'c', '--node', 'n',
        '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--tls-ca', 'ca.pem', '--verify-incoming', '--time-scale', '50']),
    ).toEqual({
      port: 8501, controlPort: 9000, host: '127.0.0.1', node: 'n', aclTokens: ['a', 'b', 'c'], timeScale: 50, help: false,
      tls: { certFile: 'c.pem', keyFile: 'k.pem', caFile: 'ca.pem', verifyIncoming: true },
    });
  });

  it('defaults: port 8500, control port 0 (any), no ACL, no TLS, real time', () => {
    expect(parseCliArgs([])).toMatchObject({ port: 8500, controlPort: 0, aclTokens: [], tls: undefined, timeScale: 1 });
  });

  it.each([
    [['--port', '70000'], 'between 0 and 65535'],
    [['--time-scale', '0'], 'positive number'],
    [['--port', '1', '--port', '2'], 'more than once'],
    [['--acl-token', 'a,,b'], 'must not be empty'],
    [['--node', ''], 'must not be empty'],
  ])('refuses %j', (args, message) => expect(() => parseCliArgs(args)).toThrow(message));
});
