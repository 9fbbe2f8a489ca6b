import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { systemClock } from './clock/system-clock.js';
import { HaModule } from './ha.module.js';
import { HA_CLOCK, HA_CONSUL } from './ha-providers.js';
import { Test } from '@nestjs/testing';
import { HaEvents, type HaLeadershipEvent } from './ha-events.js';
import type { HaOptions } from './config/ha-config.js';
import { InMemoryConsul } from './testing/in-memory-consul.js';
import { SampleGraphModule, sampleGraphProbe } from './testing/sample-graph.module.js';
import { waitUntil } from '../../../test/support/wait-until.js';

describe('HaModule in a parent application (real HTTP on 127.0.0.1)', () => {
  let dir: string;
  let app: INestApplication | undefined;
  let base: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a4c-ha-module-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function boot(ha: Record<string, unknown>, consul?: InMemoryConsul): Promise<void> {
    // the seams are providers: the in-memory Consul and the clock replace the HTTP adapter and real time
    const testing = Test.createTestingModule({
      imports: [HaModule.forRoot({ ha, application: SampleGraphModule, serverPort: 8088, directory: dir, childLogger: false })],
    });
    if (consul) testing.overrideProvider(HA_CONSUL).useValue(consul);
    const moduleRef = await testing.overrideProvider(HA_CLOCK).useValue(systemClock).compile();
    app = moduleRef.createNestApplication({ bodyParser: false, logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  it('HA off: the full graph boots at once, requests are forwarded, status says enabled false, role leader', async () => {
    await boot({ ha_enabled: false });
    const sample = await fetch(`${base}/rest/v1/sample`);
    expect(sample.status).toBe(200);
    expect(await sample.json()).toEqual({ term: 0, instanceId: expect.any(String) });
    const posted = await fetch(`${base}/rest/v1/sample`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await posted.json()).toEqual({ echoed: { a: 1 } });
    const status = await (await fetch(`${base}/rest/admin/ha`)).json();
    expect(status).toMatchObject({ enabled: false, role: 'leader', term: 0, sessionId: null });
    expect((await fetch(`${base}/rest/admin/ha/leader`)).status).toBe(200);
    expect((await fetch(`${base}/rest/admin/ha/step-down`, { method: 'POST' })).status).toBe(409);
  });

  it('health: 200 with disk, directory and the embedded store up; 503 when the disk threshold is not met', async () => {
    await boot({ ha_enabled: false });
    const ok = await fetch(`${base}/rest/admin/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', info: { disk: { status: 'up' }, directory: { status: 'up' }, elasticsearch: { status: 'up' } } });
    await app!.close();
    await boot({ ha_enabled: false, health_disk_space_threshold: Number.MAX_SAFE_INTEGER });
    const down = await fetch(`${base}/rest/admin/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'error', error: { disk: { status: 'down' } } });
  });

  it('HA on: backup answers 503 + Retry-After until elected, then forwards; events and metrics follow', async () => {
    const consul = new InMemoryConsul(systemClock);
    await boot({ ha_enabled: true, instanceIp: '127.0.0.1', instanceId: 'one', healthCheckPeriodInSecond: 2, consulSessionTTLInSecond: 10, drainTimeoutInMillis: 1000, closeTimeoutInMillis: 2000, forwardTimeoutInMillis: 0 }, consul);
    const events = app!.get(HaEvents);
    const elected: HaLeadershipEvent[] = [];
    events.onElected((e) => elected.push(e));
    const before = await fetch(`${base}/rest/v1/sample`);
    expect(before.status).toBe(503);
    expect(before.headers.get('retry-after')).toBe('2');
    expect((await fetch(`${base}/rest/admin/ha/leader`)).status).toBe(503);
    consul.setCheck('service:a4c-one', 'passing');
    await waitUntil(async () => (await fetch(`${base}/rest/admin/ha/leader`)).status === 200, { what: 'leadership' });
    expect(await (await fetch(`${base}/rest/v1/sample`)).json()).toEqual({ term: 1, instanceId: 'one' });
    expect(await (await fetch(`${base}/rest/admin/ha`)).json()).toMatchObject({ enabled: true, role: 'leader', instanceId: 'one', term: 1, leader: { id: 'one', url: 'http://127.0.0.1:8088' } });
    // no key existed before and every instance the catalog lists (only this one) was asked: a cold start
    // acts as soon as its graph is up, without the lease wait (docs/architecture.md, rule 10 cold start)
    expect(elected).toEqual([{ instanceId: 'one', term: 1, reason: 'full graph up: leading term 1' }]);
    const metrics = await (await fetch(`${base}/rest/admin/metrics`)).text();
    expect(metrics).toContain('a4c_ha_leader 1');
    expect(metrics).toContain('a4c_ha_term 1');
    expect(metrics).toMatch(/a4c_ha_transitions_total\{from="activating",to="leader"\} 1/);
  });

  it('step-down needs the admin token, then hands over: the full graph closes and requests get 503', async () => {
    const consul = new InMemoryConsul(systemClock);
    await boot({ ha_enabled: true, instanceIp: '127.0.0.1', instanceId: 'two', adminToken: 's3cret-token', consulSessionTTLInSecond: 10, healthCheckPeriodInSecond: 1, drainTimeoutInMillis: 1000, closeTimeoutInMillis: 2000, forwardTimeoutInMillis: 0 }, consul);
    consul.setCheck('service:a4c-two', 'passing');
    await waitUntil(async () => (await fetch(`${base}/rest/admin/ha/leader`)).status === 200, { what: 'leadership' });
    const closedBefore = sampleGraphProbe.closed;
    expect((await fetch(`${base}/rest/admin/ha/step-down`, { method: 'POST' })).status).toBe(401);
    const wrong = await fetch(`${base}/rest/admin/ha/step-down`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('s3cret-token');
    const ok = await fetch(`${base}/rest/admin/ha/step-down`, { method: 'POST', headers: { authorization: 'Bearer s3cret-token' } });
    expect(ok.status).toBe(202);
    await waitUntil(() => sampleGraphProbe.closed > closedBefore, { what: 'full graph closed' });
    expect((await fetch(`${base}/rest/v1/sample`)).status).toBe(503);
    expect(consul.entry('service/a4c/leader')?.session).toBeNull();
    const lastContext = sampleGraphProbe.contexts.at(-1)!;
    expect(lastContext.signal.aborted).toBe(true);
  });

  it('forRootAsync: options from a factory with injected dependencies', async () => {
    const consul = new InMemoryConsul(systemClock);
    @Module({ providers: [{ provide: 'HA_SECTION', useValue: { ha_enabled: true, instanceIp: '127.0.0.1', instanceId: 'async', consulSessionTTLInSecond: 10, drainTimeoutInMillis: 1000, closeTimeoutInMillis: 2000 } }], exports: ['HA_SECTION'] })
    class SettingsModule {}
    @Module({
      imports: [
        HaModule.forRootAsync({
          imports: [SettingsModule],
          inject: ['HA_SECTION'],
          useFactory: (ha: HaOptions) => ({ ha, application: SampleGraphModule, serverPort: 8088, directory: dir, consul, childLogger: false }),
        }),
      ],
    })
    class AsyncParent {}
    app = await NestFactory.create(AsyncParent, { bodyParser: false, logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    consul.setCheck('service:a4c-async', 'passing');
    await waitUntil(async () => (await fetch(`${base}/rest/admin/ha/leader`)).status === 200, { what: 'leadership' });
    expect(await (await fetch(`${base}/rest/v1/sample`)).json()).toEqual({ term: 1, instanceId: 'async' });
  });

  it('TLS to Consul fails closed at startup: a missing trust store is an error naming the key, never plain http', async () => {
    const missing = join(dir, 'nowhere.p12');
    await expect(
      boot({ ha_enabled: true, instanceIp: '127.0.0.1', consul_tls_enabled: true, trustStorePath: missing, keyStoresPwd: 'hunter2-secret' }),
    ).rejects.toThrow(/ha\.trustStorePath: cannot use/);
    await expect(
      boot({ ha_enabled: true, instanceIp: '127.0.0.1', consul_tls_enabled: true, trustStorePath: missing, keyStoresPwd: 'hunter2-secret' }),
    ).rejects.not.toThrow(/hunter2-secret/);
  });

  it('a bad ha value stops startup with one line per problem naming the key', async () => {
    await expect(boot({ ha_enabled: true, consulAgentPort: 'abc' })).rejects.toThrow(/ha\.consulAgentPort: expected an integer 1-65535, got "abc"/);
  });
});
