import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig } from '../../apps/alien4cloud/src/config/load-config.js';
import { deriveHaTimings } from '../../libs/ha/src/config/ha-timings.js';
import { HA_DEFAULTS } from '../../libs/ha/src/config/ha-defaults.js';
import { renderHaproxyConfig } from '../support/haproxy.js';
import { block, parseHcl, type HclBody } from './support/hcl.js';
import { hasTool, requireTool, runTool } from './support/tools.js';

const DEPLOY = join(process.cwd(), 'deploy');
const read = (...path: string[]) => readFileSync(join(DEPLOY, ...path), 'utf8');
const hcl = (...path: string[]) => parseHcl(read(...path));

describe('deploy/haproxy/haproxy.cfg', () => {
  let haproxy: string;
  let dir: string;
  beforeAll(() => {
    haproxy = requireTool('haproxy', 'apt-get install haproxy (.ci/run installs it)');
    dir = mkdtempSync(join(tmpdir(), 'a4c-haproxy-check-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes haproxy -c as shipped', () => {
    const result = runTool(haproxy, ['-c', '-f', join(DEPLOY, 'haproxy', 'haproxy.cfg')]);
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringMatching(/Configuration file is valid/) });
  });

  it('passes haproxy -c as the tests render it (test/support/haproxy.ts)', () => {
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, renderHaproxyConfig(read('haproxy', 'haproxy.cfg'), 18080, [18088, 18089]));
    const result = runTool(haproxy, ['-c', '-f', file]);
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringMatching(/Configuration file is valid/) });
  });

  it('prefers the acting leader, falls back to any healthy instance, retries only what is safe, passes only the probes of /rest/admin/', () => {
    const rendered = renderHaproxyConfig(read('haproxy', 'haproxy.cfg'), 18080, [18088, 18089]);
    const servers = rendered.split('\n').filter((line) => /^\s*server\s/.test(line)).map((line) => line.trim());
    expect(servers).toEqual([
      'server a4c-1 127.0.0.1:18088 weight 100 check observe layer4 error-limit 1 on-error mark-down',
      'server a4c-2 127.0.0.1:18089 weight 100 check observe layer4 error-limit 1 on-error mark-down',
      'server a4c-1-any 127.0.0.1:18088 weight 1 track a4c_health/a4c-1',
      'server a4c-2-any 127.0.0.1:18089 weight 1 track a4c_health/a4c-2',
      'server a4c-1 127.0.0.1:18088 check',
      'server a4c-2 127.0.0.1:18089 check',
    ]);
    expect(rendered).toMatch(/backend a4c_leader\n\s+option httpchk GET \/rest\/admin\/ha\/leader/);
    expect(rendered).toMatch(/backend a4c_health\n\s+option httpchk GET \/rest\/admin\/health/);
    // all primaries (a retry is redispatched to primaries only), round robin (each retry tries the next)
    expect(rendered).toContain('balance roundrobin');
    expect(servers.filter((line) => /\sbackup(\s|$)/.test(line))).toEqual([]);
    expect(rendered).toContain('retry-on conn-failure empty-response response-timeout');
    expect(rendered).toContain('http-request disable-l7-retry unless METH_GET || METH_HEAD');
    // from outside only the two probes of /rest/admin/, read-only (run for real in proxy-admin-routes.int-spec.ts)
    expect(rendered).toContain('acl public_probe path /rest/admin/health /rest/admin/ha/leader');
    expect(rendered).toContain('http-request deny deny_status 403 if admin_route !public_probe');
  });
});

type Unit = Record<string, Record<string, string[]>>;

/** An INI-style systemd unit: section -> key -> values (keys may repeat). Throws on malformed lines. */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: string | null = null;
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1];
      unit[section] ??= {};
      return;
    }
    const entry = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!entry || !section) throw new Error(`line ${n + 1}: not a key=value line in a section: ${raw}`);
    (unit[section][entry[1]] ??= []).push(entry[2]);
  });
  return unit;
}

const seconds = (value: string) => {
  const match = /^(\d+)(s|min)?$/.exec(value);
  if (!match) throw new Error(`unsupported time span ${value}`);
  return Number(match[1]) * (match[2] === 'min' ? 60 : 1);
};

describe('deploy/systemd units', () => {
  const units = readdirSync(join(DEPLOY, 'systemd')).filter((f) => f.endsWith('.service'));
  const parsed = Object.fromEntries(units.map((name) => [name, parseUnit(read('systemd', name))]));

  it('ships the A4C, Consul and consul-template units', () => {
    expect(units.sort()).toEqual(['alien4cloud.service', 'consul-template.service', 'consul.service']);
  });

  it.each(units)('%s has [Unit] Description, [Service] ExecStart/Restart/KillSignal/TimeoutStopSec, [Install] WantedBy', (name) => {
    const unit = parsed[name];
    expect(Object.keys(unit).sort()).toEqual(['Install', 'Service', 'Unit']);
    expect(unit.Unit.Description).toHaveLength(1);
    for (const key of ['ExecStart', 'Restart', 'KillSignal', 'TimeoutStopSec']) expect({ key, values: unit.Service[key] }).toEqual({ key, values: [expect.any(String)] });
    expect(unit.Service.Restart).toEqual(['on-failure']);
    expect(unit.Install.WantedBy).toEqual(['multi-user.target']);
  });

  it('alien4cloud.service runs the build with the /etc config, stops with SIGTERM, starts after Consul without requiring it', () => {
    const { Unit: u, Service: s } = parsed['alien4cloud.service'];
    expect(s.ExecStart).toEqual(['/usr/bin/node dist/apps/alien4cloud/main.js --config /etc/a4c/alien4cloud-config.yml']);
    expect(s.KillSignal).toEqual(['SIGTERM']);
    expect(s.RestartPreventExitStatus).toEqual(['2']); // EXIT_BAD_CONFIG: a restart cannot fix it
    expect(u.After.join(' ').split(/\s+/)).toContain('consul.service');
    expect(u.Requires).toBeUndefined(); // rule 6: A4C stays up (as a backup) while Consul is down
    expect(u.RequiresMountsFor).toEqual(['/mnt/a4c-shared']);
  });

  it('alien4cloud.service gives a graceful stop more than quiesce + drain + close + three bounded Consul calls + the hand-over of held requests', () => {
    const { config } = loadConfig({ argv: ['--config', join(DEPLOY, 'a4c', 'alien4cloud-config.yml')], env: {}, cwd: process.cwd() });
    const ha = { ...HA_DEFAULTS, ...config!.ha };
    const timings = deriveHaTimings(ha);
    // the leader first lets its graph's requests finish while it still acts (quiesce, bounded by the drain)
    const quiesceMs = timings.drainTimeoutMs;
    // after the release: held requests are handed to the successor, then 1 s more listening so others move away
    const handOverMs = ha.forwardTimeoutInMillis + timings.drainTimeoutMs + 1_000;
    const worstStopMs = quiesceMs + timings.drainTimeoutMs + timings.closeTimeoutMs + 3 * timings.requestTimeoutMs + handOverMs;
    expect(worstStopMs).toBe(38_250);
    expect(seconds(parsed['alien4cloud.service'].Service.TimeoutStopSec[0]) * 1000).toBeGreaterThan(worstStopMs);
  });

  it('consul.service reads the directory the agent configs are installed in', () => {
    const s = parsed['consul.service'].Service;
    expect(s.ExecStart).toEqual(['/usr/bin/consul agent -config-dir=/etc/consul.d/']);
    expect(parsed['consul.service'].Unit.ConditionFileNotEmpty).toEqual(['/etc/consul.d/consul.hcl']);
    expect(read('consul', 'server.hcl')).toContain('Install as\n# /etc/consul.d/consul.hcl');
    expect(read('consul', 'client.hcl')).toContain('Install as\n# /etc/consul.d/consul.hcl');
  });

  it('consul-template.service reads the config that deploy/nginx/consul-template.hcl is installed as', () => {
    expect(parsed['consul-template.service'].Service.ExecStart).toEqual(['/usr/bin/consul-template -config=/etc/consul-template/consul-template.hcl']);
  });

  describe('systemd-analyze verify', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'a4c-units-'));
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it.each(units)('%s: no warning at all', (name) => {
      if (!hasTool('systemd-analyze')) {
        // allowed by the deploy brief: the structural checks above still ran; say so loudly
        console.warn(`systemd-analyze is not installed: ${name} got the structural checks only (apt-get install systemd to verify)`);
        return;
      }
      // binaries that are not installed here (consul, consul-template, maybe /usr/bin/node) become stubs,
      // so verify reports what is wrong with the unit rather than with this machine
      let text = read('systemd', name);
      for (const command of new Set([...text.matchAll(/^Exec\w+=(\/\S+)/gm)].map((m) => m[1]))) {
        if (existsSync(command)) continue;
        const stub = join(dir, 'bin', basename(command));
        mkdirSync(join(dir, 'bin'), { recursive: true });
        writeFileSync(stub, '#!/bin/sh\nexit 0\n');
        chmodSync(stub, 0o755);
        text = text.replaceAll(command, stub);
      }
      writeFileSync(join(dir, name), text);
      const result = runTool('systemd-analyze', ['verify', join(dir, name)], 60_000);
      expect({ status: result.status, warnings: `${result.stdout}${result.stderr}`.trim() }).toEqual({ status: 0, warnings: '' });
    });
  });
});

describe('deploy/consul agent configs and ACL policies', () => {
  const server = hcl('consul', 'server.hcl');
  const client = hcl('consul', 'client.hcl');
  const template = hcl('nginx', 'consul-template.hcl');
  const tls = (body: HclBody) => block(block(body, 'tls'), 'defaults').attributes;

  it.each([
    ['server.hcl', server],
    ['client.hcl', client],
  ])('%s: gossip encryption, TLS with verify_incoming, HTTPS-only API on 8501, ACLs deny by default', (_name, body) => {
    expect(body.attributes).toMatchObject({ datacenter: 'dc1', encrypt_verify_incoming: true, encrypt_verify_outgoing: true, leave_on_terminate: false });
    expect(body.attributes.encrypt).toEqual(expect.any(String));
    expect(tls(body)).toMatchObject({ verify_incoming: true, verify_outgoing: true });
    expect(block(block(body, 'tls'), 'internal_rpc').attributes).toEqual({ verify_server_hostname: true });
    expect(block(body, 'ports').attributes).toEqual({ http: -1, https: 8501 });
    expect(block(body, 'acl').attributes).toEqual({ enabled: true, default_policy: 'deny', enable_token_persistence: true });
  });

  it('servers form a quorum of three that clients join; both share datacenter, gossip key and CA', () => {
    expect(server.attributes).toMatchObject({ server: true, bootstrap_expect: 3 });
    expect(client.attributes.server).toBe(false);
    expect(server.attributes.retry_join).toHaveLength(3);
    expect(client.attributes.retry_join).toEqual(server.attributes.retry_join);
    expect(client.attributes.encrypt).toBe(server.attributes.encrypt);
    expect(tls(client).ca_file).toBe(tls(server).ca_file);
    for (const body of [server, client]) for (const file of ['ca_file', 'cert_file', 'key_file']) expect(tls(body)[file]).toMatch(/^\/etc\/consul\.d\/tls\/[\w.-]+\.pem$/);
    expect(new Set([tls(server).cert_file, tls(client).cert_file]).size).toBe(2);
  });

  // that these rights suffice is proven by test/e2e/shipped-acl-policies.e2e-spec.ts (default deny)
  it('the A4C policy grants exactly the plugin\'s rights: service a4c, node read and sessions on a4c-* nodes, keys service/a4c/', () => {
    const policy = hcl('consul', 'acl', 'a4c.policy.hcl');
    const rules = policy.blocks.map((b) => [b.type, b.labels.join(), b.body.attributes.policy]);
    expect(rules).toEqual([
      ['service', HA_DEFAULTS.serviceName, 'write'],
      ['node_prefix', 'a4c-', 'read'],
      ['key_prefix', 'service/a4c/', 'write'],
      ['session_prefix', 'a4c-', 'write'],
    ]);
    expect(HA_DEFAULTS.leaderKey.startsWith('service/a4c/')).toBe(true);
    expect(String(client.attributes.node_name)).toMatch(/^a4c-/);
  });

  it('consul-template and agent policies are what their tokens need', () => {
    const proxy = hcl('consul', 'acl', 'consul-template.policy.hcl').blocks.map((b) => [b.type, b.labels.join(), b.body.attributes.policy]);
    expect(proxy).toEqual([
      ['key_prefix', 'service/a4c/', 'read'],
      ['service', 'a4c', 'read'],
      ['node_prefix', 'a4c-', 'read'],
    ]);
    const agent = hcl('consul', 'acl', 'agent.policy.hcl').blocks.map((b) => [b.type, b.labels.join(), b.body.attributes.policy]);
    expect(agent).toEqual([
      ['node', client.attributes.node_name, 'write'],
      ['service_prefix', '', 'read'],
    ]);
  });

  it('consul-template talks to the local agent over HTTPS with the agent\'s certificates and renders into nginx\'s include', () => {
    const consul = block(template, 'consul');
    expect(consul.attributes.address).toBe(`127.0.0.1:${block(client, 'ports').attributes.https}`);
    expect(block(consul, 'ssl').attributes).toEqual({
      enabled: true,
      verify: true,
      ca_cert: tls(client).ca_file,
      cert: tls(client).cert_file,
      key: tls(client).key_file,
    });
    const rendering = block(template, 'template').attributes;
    expect(rendering.source).toBe('/etc/consul-template/a4c.conf.ctmpl');
    expect(existsSync(join(DEPLOY, 'nginx', basename(String(rendering.source))))).toBe(true);
    expect(read('nginx', 'nginx.conf')).toContain(`include ${String(rendering.destination)};`);
  });

  it('the A4C sample config passes the server\'s own validation and points at the same agent, CA and mount', () => {
    const { config, problems } = loadConfig({ argv: ['--config', join(DEPLOY, 'a4c', 'alien4cloud-config.yml')], env: {}, cwd: process.cwd() });
    expect(problems).toEqual([]);
    const ha = config!.ha;
    expect(ha).toMatchObject({ ha_enabled: true, consul_tls_enabled: true, consulAgentIp: 'localhost', consulAgentPort: block(client, 'ports').attributes.https });
    expect(ha.trustStorePath).toBe(tls(client).ca_file);
    expect(ha.instanceId).toBe(client.attributes.node_name); // one A4C instance per host, named after it
    expect(config!.directories.alien.startsWith('/mnt/a4c-shared/')).toBe(true);
    expect(read('systemd', 'alien4cloud.service')).toContain('RequiresMountsFor=/mnt/a4c-shared');
  });
});
