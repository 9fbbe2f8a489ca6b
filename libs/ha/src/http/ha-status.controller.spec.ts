import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { freshLease } from '../election/lease.js';
import { HaService } from '../ha.service.js';
import { HA_CONSUL, HA_SETTINGS } from '../ha-providers.js';
import { TAKEOVER_PROBE } from '../peers/takeover-probe-header.js';
import { ActingTerm } from '../term/acting-term.js';
import { FakeClock } from '../testing/fake-clock.js';
import { HaStatusController } from './ha-status.controller.js';

const safe = { safe: true, reason: 'released cleanly', safeAt: 0, peer: null };

/** The leader probe over real HTTP, reading a real ActingTerm on a fake clock. */
async function probeApp() {
  const clock = new FakeClock();
  const term = new ActingTerm(clock, 10_000);
  const ha = { instanceId: 'a4c-1', status: () => ({ role: term.holdsLock ? 'activating' : 'backup' }) };
  const moduleRef = await Test.createTestingModule({
    controllers: [HaStatusController],
    providers: [
      { provide: HaService, useValue: ha },
      { provide: ActingTerm, useValue: term },
      { provide: HA_SETTINGS, useValue: { config: { ha_enabled: true }, identity: { instanceId: 'a4c-1' } } },
      { provide: HA_CONSUL, useValue: null },
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const probe = async (headers: Record<string, string> = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}/rest/admin/ha/leader`, { headers });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  /** The election state as it moves: activating now, then leader with a proof sent at `provenAt`. */
  const lead = (provenAt: number) => {
    const lease = freshLease(provenAt, provenAt);
    term.follow({ kind: 'activating', sessionId: 's1', term: 3, since: 0, startedAt: provenAt, lease, graphUp: true, takeover: safe });
    term.follow({ kind: 'leader', sessionId: 's1', term: 3, since: 0, lease });
  };
  return { app, clock, term, probe, lead };
}

describe('GET /rest/admin/ha/leader: the acting term, and the rule 10 promise', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('a proxy probe (no takeover header) promises nothing: a proof sent before it still lets the instance act', async () => {
    const setup = await probeApp();
    app = setup.app;
    const provenAt = setup.clock.now();
    await setup.clock.advance(1);
    expect(await setup.probe()).toEqual({ status: 503, body: { leader: false, instanceId: 'a4c-1', role: 'backup' } });
    setup.lead(provenAt);
    expect(await setup.probe()).toEqual({ status: 200, body: { leader: true, instanceId: 'a4c-1', role: 'activating' } });
  });

  it('a takeover probe gets a "not acting" that is kept: no proof sent before it lets the instance act', async () => {
    const setup = await probeApp();
    app = setup.app;
    const provenAt = setup.clock.now();
    await setup.clock.advance(1);
    expect((await setup.probe({ [TAKEOVER_PROBE]: 'b' })).status).toBe(503);
    setup.lead(provenAt);
    expect((await setup.probe()).status).toBe(503);
    await setup.clock.advance(1);
    setup.lead(setup.clock.now()); // a proof sent after the promise
    expect((await setup.probe({ [TAKEOVER_PROBE]: 'b' })).status).toBe(200);
  });
});
