import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { HaService } from '../ha.service.js';
import { HA_CONSUL, HA_SETTINGS } from '../ha-providers.js';
import { ActingTerm } from '../term/acting-term.js';
import { HaStatusController } from './ha-status.controller.js';

/** The step-down route with its guard, over real HTTP; the providers replaced by the little the route reads. */
async function stepDownApp(config: { ha_enabled: boolean; adminToken?: string }) {
  const stepDowns: (string | undefined)[] = [];
  const ha = {
    instanceId: 'a4c-1',
    status: () => ({ role: 'leader', leader: { id: 'a4c-1', url: 'http://127.0.0.1:1' } }),
    stepDown: (candidate?: string) => stepDowns.push(candidate) > 0,
  };
  const moduleRef = await Test.createTestingModule({ controllers: [HaStatusController], providers: [
      { provide: HaService, useValue: ha },
      { provide: HA_SETTINGS, useValue: { config, identity: { instanceId: 'a4c-1' } } },
      { provide: HA_CONSUL, useValue: null },
      { provide: ActingTerm, useValue: {} },
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const post = async (headers: Record<string, string> = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}/rest/admin/ha/step-down`, { method: 'POST', headers });
    return { status: response.status, body: (await response.json()) as { message?: string } };
  };
  return { app, post, stepDowns };
}

describe('POST /rest/admin/ha/step-down: AdminTokenGuard', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('with HA on and no ha.adminToken: 403 with the reason, and no step-down', async () => {
    const t = await stepDownApp({ ha_enabled: true });
    app = t.app;
    expect(await t.post({ authorization: 'Bearer anything' })).toEqual({ status: 403, body: { statusCode: 403, message: 'step-down is disabled: set ha.adminToken' } });
    expect(t.stepDowns).toEqual([]);
  });

  it('with a token configured: 401 when missing or wrong, 202 with the right one (Bearer or X-A4C-Admin-Token)', async () => {
    const t = await stepDownApp({ ha_enabled: true, adminToken: 's3cret-token' });
    app = t.app;
    expect((await t.post()).status).toBe(401);
    expect((await t.post({ authorization: 'Bearer s3cret-tokeN' })).status).toBe(401);
    expect((await t.post({ authorization: 'Bearer s3cret-token-longer' })).status).toBe(401);
    expect((await t.post({ 'x-a4c-admin-token': 'nope' })).status).toBe(401);
    expect(t.stepDowns).toEqual([]);
    const unauthorised = await t.post({ authorization: 'Basic czNjcmV0LXRva2Vu' });
    expect(unauthorised).toEqual({ status: 401, body: { statusCode: 401, message: 'step-down needs the admin token (Authorization: Bearer <ha.adminToken>)' } });
    expect(JSON.stringify(unauthorised.body)).not.toContain('s3cret');
    expect((await t.post({ authorization: 'Bearer s3cret-token' })).status).toBe(202);
    expect((await t.post({ 'x-a4c-admin-token': 's3cret-token' })).status).toBe(202);
    expect(t.stepDowns).toEqual([undefined, undefined]);
  });

  it('with HA off and no token: passes the guard, the route answers 409 (no election)', async () => {
    const t = await stepDownApp({ ha_enabled: false });
    app = t.app;
    expect((await t.post()).status).toBe(409);
  });
});
