import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { systemClock } from './clock/system-clock.js';
import { HaModule } from './ha.module.js';
import { HA_CLOCK, HA_CONSUL, HA_METRICS_REGISTRY } from './ha-providers.js';
import { HaService } from './ha.service.js';
import type { HaModuleOptions } from './ha-module-options.js';
import { InMemoryConsul } from './testing/in-memory-consul.js';
import { SampleGraphModule } from './testing/sample-graph.module.js';
import { waitUntil } from '../../../test/support/wait-until.js';

const HA = { ha_enabled: true, instanceIp: '127.0.0.1', instanceId: 'seams', consulSessionTTLInSecond: 10, healthCheckPeriodInSecond: 1, drainTimeoutInMillis: 1000, closeTimeoutInMillis: 2000, forwardTimeoutInMillis: 0 };

describe('HaModule seams: providers a test or an application replaces, and its own health indicators', () => {
  let dir: string;
  let app: INestApplication | undefined;
  let base: string;
  /** The application's own indicator, e.g. a message broker it cannot work without. */
  let brokerUp = true;
  let brokerChecks = 0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a4c-ha-seams-'));
    brokerUp = true;
    brokerChecks = 0;
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function boot(consul: InMemoryConsul, extra: Partial<HaModuleOptions> = {}): Promise<void> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        HaModule.forRoot({
          ha: HA,
          application: SampleGraphModule,
          serverPort: 8088,
          directory: dir,
          childLogger: false,
          ...extra,
          healthIndicators: [
            () => {
              brokerChecks += 1;
              return { broker: brokerUp ? { status: 'up' } : { status: 'down', reason: 'broker unreachable' } };
            },
          ],
        }),
      ],
    })
      .overrideProvider(HA_CONSUL)
      .useValue(consul)
      .overrideProvider(HA_CLOCK)
      .useValue(systemClock)
      .compile();
    app = moduleRef.createNestApplication({ bodyParser: false, logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  it('an application indicator is served on /rest/admin/health, so Consul\'s check sees it', async () => {
    await boot(new InMemoryConsul(systemClock));
    const up = await fetch(`${base}/rest/admin/health`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ok', info: { broker: {}, disk: { status: 'up' } } });
    brokerUp = false;
    const down = await fetch(`${base}/rest/admin/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'error', error: { broker: { status: 'down', reason: 'broker unreachable' } } });
  });

  it('rule 8: while an application indicator is down the instance does not race; a leader whose indicator fails hands the lock back', async () => {
    const consul = new InMemoryConsul(systemClock);
    brokerUp = false;
    await boot(consul);
    consul.setCheck('service:a4c-seams', 'passing'); // Consul's check has not seen the fault yet
    const ha = app!.get(HaService);
    await waitUntil(() => brokerChecks >= 3, { what: 'the elector to look at its health three times' });
    expect(consul.calls.some((c) => c.startsWith('createSession'))).toBe(false);
    expect(ha.status().role).toBe('backup');
    brokerUp = true;
    await waitUntil(async () => (await fetch(`${base}/rest/admin/ha/leader`)).status === 200, { timeoutMs: 10_000, what: 'leadership' });
    brokerUp = false;
    await waitUntil(() => ha.status().role === 'backup', { timeoutMs: 10_000, what: 'the leader handing the lock back' });
    expect(consul.entry('service/a4c/leader')?.session).toBeNull();
    expect(JSON.parse(consul.entry('service/a4c/leader')!.value!)).toMatchObject({ id: 'seams', released: true });
  }, 30_000);

  it('the metrics registry is a provider an application can reach (and merge into its own)', async () => {
    await boot(new InMemoryConsul(systemClock));
    const registry = app!.get<Registry>(HA_METRICS_REGISTRY);
    const merged = Registry.merge([registry, new Registry()]);
    expect(await merged.metrics()).toContain('a4c_ha_leader');
  });

  it('metrics on the application registry: /rest/admin/metrics serves it, with its own default metrics once', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    new Counter({ name: 'orders_total', help: 'the application\'s own', registers: [registry] }).inc(3);
    await boot(new InMemoryConsul(systemClock), { metrics: { registry } });
    expect(app!.get<Registry>(HA_METRICS_REGISTRY)).toBe(registry);
    const text = await (await fetch(`${base}/rest/admin/metrics`)).text();
    expect(text).toMatch(/^orders_total 3$/m);
    expect(text).toMatch(/^a4c_ha_leader /m);
    expect(text.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
  });
});
