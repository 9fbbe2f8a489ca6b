import { describe, expect, it } from '@jest/globals';
import { decodeSessionCreate, linkedCheckIds } from './session-request.js';

describe('decodeSessionCreate (docs/consul-behaviour.md §2.2)', () => {
  it.each([
    [undefined, ['serfHealth']],
    [{ Checks: [] }, []],
    [{ NodeChecks: [] }, []],
    [{ Checks: ['a', 'b'] }, ['a', 'b', 'serfHealth']],
    [{ Checks: ['a'], NodeChecks: [] }, []],
    [{ NodeChecks: ['x'] }, ['x']],
    [{ ServiceChecks: [{ ID: 's' }] }, ['serfHealth', 's']],
    [{ NodeChecks: [], ServiceChecks: [{ id: 's' }] }, ['s']],
    [{ checks: ['serfHealth'] }, ['serfHealth']],
  ])('links the table\'s checks for %j', (body, linked) => {
    expect(linkedCheckIds(decodeSessionCreate(body as Record<string, unknown> | undefined, 'node'))).toEqual(linked);
  });

  it('LockDelay below 1000 is seconds; default 15s; Node defaults to the agent', () => {
    expect(decodeSessionCreate({ lockdelay: 999 }, 'n').lockDelayNs).toBe(999_000_000_000n);
    expect(decodeSessionCreate({ LockDelay: 1000 }, 'n').lockDelayNs).toBe(1000n);
    expect(decodeSessionCreate(undefined, 'n')).toMatchObject({ lockDelayNs: 15_000_000_000n, node: 'n', behavior: '', ttl: '' });
  });
});
