import { describe, expect, it } from '@jest/globals';
import { parseCliArgs } from './cli-args.js';

describe('parseCliArgs', () => {
  it('reads every option, with repeatable and comma-separated ACL tokens', () => {
    expect(
      parseCliArgs(['--port', '8501', '--control-port=9000', '--acl-token', 'a,b', '--acl-token', 'c', '--node', 'n',
        '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--tls-ca', 'ca.pem', '--verify-incoming', '--time-scale', '50']),
    ).toEqual({
      port: 8501, controlPort: 9000, host: '127.0.0.1', node: 'n', aclTokens: ['a', 'b', 'c'], aclPolicyFiles: {}, aclDefaultPolicy: undefined,
      agents: undefined, timeScale: 50, help: false, timings: {},
      tls: { certFile: 'c.pem', keyFile: 'k.pem', caFile: 'ca.pem', verifyIncoming: true },
    });
  });

  it('defaults: port 8500, control port 0 (any), no ACL, no TLS, real time', () => {
    expect(parseCliArgs([])).toMatchObject({ port: 8500, controlPort: 0, aclTokens: [], tls: undefined, timeScale: 1 });
  });

  it('reads tokens bound to policies (SECRET=POLICY[,POLICY]), policy files (NAME=FILE) and the default policy', () => {
    expect(parseCliArgs(['--acl-token', 'root', '--acl-token', 's1=a4c,extra', '--acl-token=anonymous=ro', '--acl-policy', 'a4c=deploy/a4c.hcl',
      '--acl-policy=ro=r.hcl', '--acl-default-policy', 'deny'])).toMatchObject({
      aclTokens: ['root', { secret: 's1', policies: ['a4c', 'extra'] }, { secret: 'anonymous', policies: ['ro'] }],
      aclPolicyFiles: { a4c: 'deploy/a4c.hcl', ro: 'r.hcl' },
      aclDefaultPolicy: 'deny',
    });
  });

  it('reads agents (NAME or NAME:PORT, repeatable or comma-separated) and the fault delays', () => {
    expect(parseCliArgs(['--agent', 'a', '--agent', 'b:8502', '--agents', 'c,d', '--detect-ms', '500', '--rejoin-ms=200', '--dial-timeout-ms', '300',
      '--keepalive-ms', '0', '--no-servers-ms', '900', '--in-flight-fail-ms', '400', '--rpc-hold-ms', '700'])).toMatchObject({
      agents: [{ node: 'a' }, { node: 'b', port: 8502 }, { node: 'c' }, { node: 'd' }],
      timings: { detectMs: 500, rejoinMs: 200, dialTimeoutMs: 300, keepaliveMs: 0, noServersMs: 900, inFlightFailMs: 400, rpcHoldMs: 700 },
    });
    expect(parseCliArgs([]).agents).toBeUndefined();
  });

  it.each([
    [['--agent', 'a', '--agent', 'a'], '--agent a given twice'],
    [['--agent', ':8500'], '--agent needs a node name'],
    [['--agent', 'a:x'], '--agent a must be a port number'],
    [['--agent', 'a', '--node', 'n'], 'exclusive'],
    [['--detect-ms', '-1'], '--detect-ms must be a number of milliseconds'],
    [['--port', '70000'], 'between 0 and 65535'],
    [['--time-scale', '0'], 'positive number'],
    [['--port', '1', '--port', '2'], 'more than once'],
    [['--acl-token', 'a,,b'], 'must not be empty'],
    [['--acl-token', 's=a,'], 'SECRET=POLICY[,POLICY]'],
    [['--acl-policy', 'p'], 'NAME=FILE'],
    [['--acl-policy', 'p=a', '--acl-policy', 'p=b'], '--acl-policy p given twice'],
    [['--acl-default-policy', 'maybe'], 'allow or deny'],
    [['--node', ''], 'must not be empty'],
  ])('refuses %j', (args, message) => expect(() => parseCliArgs(args)).toThrow(message));
});
