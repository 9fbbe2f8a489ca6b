import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { systemClock } from '../clock/system-clock.js';
import { HaModule } from '../ha.module.js';
import { HA_CLOCK, HA_CONSUL } from '../ha-providers.js';
import { InMemoryConsul } from '../testing/in-memory-consul.js';
import { SampleGraphModule } from '../testing/sample-graph.module.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

const TOKEN = 'failsafe-s3cret';
const body = { leaderId: 'a', sessionId: 'sa', term: 1, epoch: 2 };

/** POST /rest/admin/ha/failsafe (docs/architecture.md §3, rule 13) on a parent app over real HTTP. */
describe('POST /rest/admin/ha/failsafe', () => {
  let dir: string;
  let app: INestApplication | undefined;
  let base: string;
  let consul: InMemoryConsul;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a4c-ha-failsafe-'));
    consul = new InMemoryConsul(systemClock);
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function boot(ha: Record<string, unknown> = {}): Promise<void> {
    const testing = Test.createTestingModule({
      imports: [
        HaModule.forRoot({
          ha: { ha_enabled: true, instanceIp: '127.0.0.1', instanceId: 'b', adminToken: TOKEN, failsafe: true, consulSessionTTLInSecond: 10, healthCheckPeriodInSecond: 1, drainTimeoutInMillis: 1000, closeTimeoutInMillis: 2000, forwardTimeoutInMillis: 0, ...ha },
          application: SampleGraphModule,
          serverPort: 8088,
          directory: dir,
          childLogger: false,
        }),
      ],
    });
    const moduleRef = await testing.overrideProvider(HA_CONSUL).useValue(consul).overrideProvider(HA_CLOCK).useValue(systemClock).compile();
    app = moduleRef.createNestApplication({ bodyParser: false, logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  const ask = async (payload: unknown, token: string | null = TOKEN) => {
    const response = await fetch(`${base}/rest/admin/ha/failsafe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('needs the admin token, and a well-formed body', async () => {
    await boot();
    expect((await ask(body, null)).status).toBe(401);
    expect((await ask(body, 'wrong')).status).toBe(401);
    expect(await ask('not json')).toEqual({ status: 400, body: { statusCode: 400, message: 'expected a JSON object {leaderId, sessionId, term, epoch}' } });
    expect(await ask({ ...body, term: 'x' })).toEqual({ status: 400, body: { statusCode: 400, message: 'term: expected a positive integer (the lock index)' } });
  });

  it('409 while this instance reaches Consul; 200 with a promise once it cannot', async () => {
    await boot();
    expect(await ask(body)).toEqual({ status: 409, body: { instanceId: 'b', confirmed: false, reason: 'this instance reaches consul (the key is free): the leader should too' } });
    consul.failing.add('*');
    const before = Date.now();
    const confirmed = await ask(body);
    expect(confirmed).toEqual({ status: 200, body: { instanceId: 'b', confirmed: true, until: expect.any(String) } });
    // the promise runs lease + margin (the default 1.5 s + 250 ms) from the confirmation
    const until = Date.parse(confirmed.body.until as string);
    expect(until - before).toBeGreaterThanOrEqual(1500 + 250 - 50);
    expect(until - before).toBeLessThan(1500 + 250 + 2000);
    const metrics = await (await fetch(`${base}/rest/admin/metrics`)).text();
    expect(metrics).toMatch(/a4c_ha_failsafe_answers_total\{outcome="confirmed"\} 1/);
    expect(metrics).toMatch(/a4c_ha_failsafe_answers_total\{outcome="refused"\} 1/);
    expect(metrics).toContain('a4c_ha_failsafe_active 0');
  });

  it('the leader itself refuses (it holds the lock)', async () => {
    await boot();
    consul.setCheck('service:a4c-b', 'passing');
    await waitUntil(async () => (await fetch(`${base}/rest/admin/ha/leader`)).status === 200, { what: 'leadership' });
    expect(await ask(body)).toEqual({ status: 409, body: { instanceId: 'b', confirmed: false, reason: 'this instance holds the lock' } });
  });

  it('ha.failsafe false: 409, failsafe is off here', async () => {
    await boot({ failsafe: false });
    consul.failing.add('*');
    expect(await ask(body)).toEqual({ status: 409, body: { instanceId: 'b', confirmed: false, reason: 'failsafe is off on this instance (ha.failsafe: false, or no ha.adminToken)' } });
  });
});
