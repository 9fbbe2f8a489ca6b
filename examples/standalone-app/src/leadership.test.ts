import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Test } from '@nestjs/testing';
import { HA_CONSUL, HaModule, HaService } from '@a4c/ha';
import { InMemoryConsul } from '@a4c/ha/testing';
import { GreetingModule } from './greeting/greeting.module.js';

/** Polls `condition` every 20 ms until it holds, failing after `timeoutMs`. */
async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('elected on an in-memory Consul, the instance serves the app; a failing check hands the lock back', async () => {
  const consul = new InMemoryConsul(); // Consul's lock, sessions and checks, in memory
  const directory = mkdtempSync(join(tmpdir(), 'greeter-test-'));
  const moduleRef = await Test.createTestingModule({
    imports: [
      HaModule.forRoot({
        ha: { ha_enabled: true, instanceIp: '127.0.0.1', instanceId: 'greeter-1', serviceName: 'greeter', consulSessionTTLInSecond: 10, drainTimeoutInMillis: 1000, closeTimeoutInMillis: 2000 },
        application: GreetingModule,
        serverPort: 3000,
        directory,
        childLogger: false,
      }),
    ],
  })
    .overrideProvider(HA_CONSUL)
    .useValue(consul)
    .compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  try {
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const ha = app.get(HaService);

    // the test plays the Consul agent's HTTP check: passing once the instance registered
    await eventually(() => consul.services.size === 1, 'the service registration');
    const [service] = consul.services.values();
    consul.setCheck(service.checkId, 'passing');
    await eventually(async () => (await fetch(`${url}/rest/admin/ha/leader`)).status === 200, 'leadership');
    assert.deepEqual(await (await fetch(`${url}/hello`)).json(), { greeting: 'hello from the leader', servedBy: 'greeter-1' });

    consul.setCheck(service.checkId, 'critical'); // the check fails: Consul invalidates the session
    await eventually(() => ha.status().role === 'backup', 'the instance back in backup');
    assert.equal((await fetch(`${url}/rest/admin/ha/leader`)).status, 503);
  } finally {
    await app.close();
    rmSync(directory, { recursive: true, force: true });
  }
});
