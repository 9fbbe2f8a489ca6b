import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, startCore, testConfig, type RunningCore } from '../testing/core-test-app.js';

describe('CoreModule over HTTP (embedded store)', () => {
  let dir: string;
  let core: RunningCore | undefined;
  const apps = () => `${core!.url}/rest/v1/applications`;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'a4c-core-'));
    core = await startCore(testConfig(dir, ['--orchestrators=[]']));
  });
  afterEach(async () => {
    await core?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, gets, lists and deletes applications', async () => {
    const created = await request('POST', apps(), { name: 'My App', description: 'first' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'my-app', name: 'My App', description: 'first', creationDate: expect.any(String) });
    expect(created.headers.get('location')).toBe('/rest/v1/applications/my-app');
    await request('POST', apps(), { name: 'another' });

    expect(await request('GET', `${apps()}/my-app`)).toMatchObject({ status: 200, body: created.body });
    const list = await request('GET', apps());
    expect(list.status).toBe(200);
    expect((list.body as { id: string }[]).map((a) => a.id)).toEqual(['another', 'my-app']);

    expect((await request('DELETE', `${apps()}/my-app`)).status).toBe(204);
    expect(await request('GET', `${apps()}/my-app`)).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', reason: 'no application with id "my-app"' },
    });
    expect(await request('DELETE', `${apps()}/my-app`)).toMatchObject({ status: 404 });
    expect(await request('GET', `${apps()}/${'x'.repeat(300)}`)).toMatchObject({ status: 404 });
  });

  it('answers 400 with a reason for invalid input', async () => {
    expect(await request('POST', apps(), { name: '' })).toEqual({
      status: 400,
      headers: expect.anything(),
      body: { statusCode: 400, error: 'Bad Request', reason: '"name" must be 1-64 characters long, got 0' },
    });
    expect((await request('POST', apps(), { name: 'a/b' })).body).toMatchObject({ reason: expect.stringContaining('must start with a letter or digit') });
    expect((await request('POST', apps(), { name: 'x'.repeat(65) })).status).toBe(400);
    expect((await request('POST', apps(), { description: 'no name' })).body).toMatchObject({ reason: '"name" must be a string, got nothing' });
    expect((await request('POST', apps(), [1, 2])).body).toMatchObject({ reason: 'expected a JSON object like {"name": "my-app"}' });
  });

  it('answers malformed JSON with a 400, never a 500', async () => {
    for (const text of ['{"name":', '{name: "a"}', '[', 'nul']) {
      const response = await request('POST', apps(), text);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', reason: expect.stringMatching(/^malformed JSON body: /) });
    }
    expect((await request('GET', apps())).body).toEqual([]);
  });

  it('refuses a duplicate name with 409, also when only case or spaces differ', async () => {
    expect((await request('POST', apps(), { name: 'Billing App' })).status).toBe(201);
    expect(await request('POST', apps(), { name: 'billing-app' })).toMatchObject({
      status: 409,
      body: { statusCode: 409, error: 'Conflict', reason: 'an application named "Billing App" already exists with id "billing-app"' },
    });
  });

  it('lets exactly one of concurrent creates of the same name win', async () => {
    const statuses = await Promise.all(Array.from({ length: 10 }, () => request('POST', apps(), { name: 'race' }).then((r) => r.status)));
    expect(statuses.sort()).toEqual([201, ...Array(9).fill(409)]);
  });

  it('keeps applications across a restart of the graph', async () => {
    await request('POST', apps(), { name: 'survivor' });
    await core!.close();
    core = await startCore(testConfig(dir, ['--orchestrators=[]']));
    expect(await request('GET', `${apps()}/survivor`)).toMatchObject({ status: 200, body: { name: 'survivor' } });
  });

  it('answers unknown routes with the same error format', async () => {
    expect(await request('GET', `${core!.url}/rest/v1/nope`)).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
  });
});

describe('CoreModule plugins', () => {
  let dir: string;
  let core: RunningCore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a4c-plugins-'));
  });
  afterEach(async () => {
    await core?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plugin = (directory: string, file: string, text: string) => {
    mkdirSync(join(dir, 'plugins', directory), { recursive: true });
    writeFileSync(join(dir, 'plugins', directory, file), text);
  };

  it('lists plugins with their enabled state and reports bad descriptors without failing', async () => {
    plugin('kube', 'plugin.json', JSON.stringify({ id: 'a4c-kube', name: 'Kubernetes', version: '3.0.0' }));
    plugin('puccini', 'plugin.yml', 'id: a4c-puccini\nname: Puccini\nversion: 1.0.0-SNAPSHOT\n');
    plugin('broken', 'plugin.json', '{"id": ');
    plugin('copy', 'plugin.json', JSON.stringify({ id: 'a4c-kube', name: 'Kubernetes again', version: '3.0.1' }));
    mkdirSync(join(dir, 'plugins', 'empty'));
    core = await startCore(testConfig(dir, ['--orchestrators=[]']));

    const { status, body } = await request('GET', `${core.url}/rest/v1/plugins`);
    expect(status).toBe(200);
    expect(body).toEqual([
      { directory: 'broken', enabled: false, error: expect.stringMatching(/^plugin.json: not valid JSON/) },
      { directory: 'copy', descriptor: { id: 'a4c-kube', name: 'Kubernetes again', version: '3.0.1' }, enabled: true },
      { directory: 'empty', enabled: false, error: 'no descriptor (plugin.json, plugin.yml, plugin.yaml)' },
      { directory: 'kube', descriptor: { id: 'a4c-kube', name: 'Kubernetes', version: '3.0.0' }, enabled: false, error: 'duplicate plugin id "a4c-kube"' },
      { directory: 'puccini', descriptor: { id: 'a4c-puccini', name: 'Puccini', version: '1.0.0-SNAPSHOT' }, enabled: true },
    ]);
  });

  it('disables plugins when the graph closes', async () => {
    plugin('kube', 'plugin.json', JSON.stringify({ id: 'a4c-kube', name: 'Kubernetes', version: '3.0.0' }));
    core = await startCore(testConfig(dir, ['--orchestrators=[]']));
    const { PluginRegistryService } = await import('./plugins/plugin-registry.service.js');
    const registry = core.app.get(PluginRegistryService);
    expect(registry.list().map((p) => p.enabled)).toEqual([true]);
    await core.close();
    expect(registry.list().map((p) => p.enabled)).toEqual([false]);
  });

  it('lists nothing when no plugin directory exists', async () => {
    core = await startCore(testConfig(dir, ['--orchestrators=[]']));
    expect((await request('GET', `${core.url}/rest/v1/plugins`)).body).toEqual([]);
  });
});
