import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import type { HaSettings } from '../ha-runtime.js';
import { FakeClock } from '../testing/fake-clock.js';
import { InMemoryConsul } from '../testing/in-memory-consul.js';
import { checkStepDownCandidate } from './step-down-candidate.js';

/** A member's status route answering `role`, on a real port (the candidate check calls it over HTTP). */
function statusServer(role: string): Promise<Server> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ role, acting: role === 'leader', term: 0 })));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('checkStepDownCandidate', () => {
  const consul = new InMemoryConsul(new FakeClock());
  const settings = { identity: { instanceId: 'a' }, config: { serviceName: 'a4c', serverProtocol: 'http' } } as unknown as HaSettings;
  let backup: Server;
  let activating: Server;

  const register = async (id: string, port: number, status: 'passing' | 'critical') => {
    await consul.registerService({ id: `a4c-${id}`, name: 'a4c', address: '127.0.0.1', port, checkId: `check-${id}`, checkUrl: '', checkIntervalMs: 1000, checkTimeoutMs: 1000, tlsSkipVerify: false });
    consul.setCheck(`check-${id}`, status);
  };
  const refusal = async (candidate: string) => {
    const error = await checkStepDownCandidate(settings, consul, candidate).then(() => undefined, (e: unknown) => e);
    return error instanceof HttpException ? { status: error.getStatus(), message: (error.getResponse() as { message: string }).message } : error;
  };

  beforeAll(async () => {
    backup = await statusServer('backup');
    activating = await statusServer('activating');
    await register('b', (backup.address() as AddressInfo).port, 'passing');
    await register('c', (activating.address() as AddressInfo).port, 'passing');
    await register('d', (backup.address() as AddressInfo).port, 'critical');
    await register('e', 1, 'passing'); // nothing listens on port 1
  });
  afterAll(() => {
    backup.close();
    activating.close();
  });

  it('accepts a passing backup that answers', async () => {
    await expect(checkStepDownCandidate(settings, consul, 'b')).resolves.toBeUndefined();
  });

  it.each([
    ['a', 409, 'candidate a is this instance, the one stepping down'],
    ['zz', 409, 'candidate zz is unknown: Consul lists b, c, d, e for service a4c'],
    ['d', 409, 'candidate d is unhealthy: its Consul check is critical'],
    ['e', 409, 'candidate e is not in the race: its /rest/admin/ha does not answer'],
    ['c', 409, 'candidate c is not in the race: it reports role activating'],
    [' ', 400, 'candidate: expected an instance id, got an empty value'],
  ])('refuses %j with %i: %s', async (candidate, status, message) => {
    expect(await refusal(candidate)).toEqual({ status, message });
  });

  it('answers 503 when Consul cannot be asked', async () => {
    consul.failing.add('listServiceInstances');
    try {
      expect(await refusal('b')).toEqual({ status: 503, message: expect.stringMatching(/^cannot check candidate b: consul listServiceInstances failed/) });
    } finally {
      consul.failing.delete('listServiceInstances');
    }
  });
});
