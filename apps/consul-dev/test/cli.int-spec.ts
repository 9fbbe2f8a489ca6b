// The built binary as a real process (docs/architecture.md §4): ready line, banner, SIGTERM/SIGINT exit 0, bad
// arguments exit 2, and the spawn helper with its control client. Needs `npm run build` first.
import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { freePort } from '../../../test/support/free-port.js';
import { killAllSpawned, spawnProcess } from '../../../test/support/spawned-process.js';
import { waitUntil } from '../../../test/support/wait-until.js';
import { consulDevMain, spawnConsulDev } from '../test-support/start-consul-dev.js';

afterEach(async () => {
  await killAllSpawned();
});

describe('consul-dev CLI (built dist/apps/consul-dev/main.js)', () => {
  it('is built (run `npm run build` before the integration tests)', () => {
    expect(existsSync(consulDevMain())).toBe(true);
  });

  it('prints exactly one JSON ready line on stdout and a not-for-production banner on stderr; SIGTERM exits 0', async () => {
    const port = await freePort();
    const controlPort = await freePort();
    const child = spawnProcess(process.execPath, [consulDevMain(), '--port', String(port), '--control-port', String(controlPort), '--node', 'n1']);
    let stdout = '';
    child.child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
    expect(await child.readyLine()).toEqual({ ready: true, port, controlPort, scheme: 'http', node: 'n1' });
    expect(child.output()).toMatch(/DEV DOUBLE.*NOT FOR PRODUCTION/);
    const r = await fetch(`http://127.0.0.1:${port}/v1/session/create`, { method: 'PUT' });
    expect(r.status).toBe(200);
    expect(await child.stop('SIGTERM')).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });

  it('fact 21: --agent NAME / NAME:PORT starts one agent per node; the ready line lists them (port and node = the first)', async () => {
    const [port, second, controlPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawnProcess(process.execPath, [consulDevMain(), '--port', String(port), '--control-port', String(controlPort),
      '--agent', 'host-a', '--agent', `host-b:${second}`, '--agents', 'host-c', '--detect-ms', '300']);
    const ready = await child.readyLine();
    const agents = ready.agents as Array<{ node: string; port: number }>;
    expect(ready).toMatchObject({ ready: true, port, controlPort, scheme: 'http', node: 'host-a' });
    expect(agents.slice(0, 2)).toEqual([{ node: 'host-a', port }, { node: 'host-b', port: second }]);
    expect(agents[2]).toMatchObject({ node: 'host-c', port: expect.any(Number) });
    for (const agent of agents) {
      const self = (await (await fetch(`http://127.0.0.1:${agent.port}/v1/agent/self`)).json()) as { Config: { NodeName: string } };
      expect(self.Config.NodeName).toBe(agent.node);
    }
    expect(await child.stop('SIGTERM')).toBe(0);
  });

  it('spawnConsulDev({ agents, timings }): agents with urls, typed per-agent control routes', async () => {
    const double = await spawnConsulDev({ agents: ['a', 'b'], timings: { detectMs: 200, rejoinMs: 100 } });
    expect(double.agents.map((a) => [a.node, a.url])).toEqual([['a', double.url], ['b', `http://127.0.0.1:${double.agents[1].port}`]]);
    const state = await double.control.partition('b', { keepaliveMs: 0, dialTimeoutMs: 50 });
    expect(state.timings).toMatchObject({ detectMs: 200, rejoinMs: 100 });
    await waitUntil(async () => (await double.control.agent('b')).serfHealth === 'critical', { what: 'b detected' });
    await double.control.heal('b');
    await waitUntil(async () => (await double.control.agent('b')).serfHealth === 'passing', { what: 'b rejoined' });
    expect(await double.stop()).toBe(0);
  });

  it('SIGINT exits 0 too', async () => {
    const double = await spawnConsulDev();
    expect(await double.process.stop('SIGINT')).toBe(0);
  });

  it.each([
    [['--port', 'abc'], '--port must be a port number'],
    [['--bogus'], 'unknown argument "--bogus"'],
    [['--tls-cert', 'x.pem'], '--tls-cert, --tls-key and --tls-ca must be given together'],
    [['--verify-incoming'], '--verify-incoming needs'],
    [['--tls-cert', '/nope/c', '--tls-key', '/nope/k', '--tls-ca', '/nope/ca'], 'cannot read --tls-cert /nope/c'],
    [['--port'], '--port needs a value'],
    [['--agent', 'a', '--agent', 'a'], '--agent a given twice'],
  ])('bad arguments %j exit 2 with a clear message', async (args, message) => {
    const child = spawnProcess(process.execPath, [consulDevMain(), ...args]);
    expect(await child.exited()).toBe(2);
    expect(child.output()).toContain(message);
    expect(child.output()).toContain('usage:');
  });

  it('spawnConsulDev: free ports, typed control client, stopApi gives connection refused, --time-scale and --acl-token pass through', async () => {
    const double = await spawnConsulDev({ aclTokens: ['root'], timeScale: 100 });
    const headers = { 'X-Consul-Token': 'root' };
    const created = await fetch(`${double.url}/v1/session/create`, { method: 'PUT', headers, body: '{"TTL":"10s"}' });
    const { ID } = (await created.json()) as { ID: string };
    await waitUntil(async () => (await double.control.state()).sessions.length === 0, { what: 'scaled TTL expiry' });
    expect((await fetch(`${double.url}/v1/session/info/${ID}`, { headers }).then((r) => r.text()))).toBe('[]');
    await double.control.stopApi();
    await expect(fetch(`${double.url}/v1/status/leader`)).rejects.toMatchObject({ cause: expect.objectContaining({ code: 'ECONNREFUSED' }) });
    await double.control.resumeApi();
    expect((await fetch(`${double.url}/v1/status/leader`)).status).toBe(200);
    expect(await double.stop()).toBe(0);
  });
});
