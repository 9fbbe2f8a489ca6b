import { describe, expect, it } from '@jest/globals';
import type { HaContext } from '../ha-context.js';
import { Fence } from './fence.js';
import { FencedWriteError } from './fenced-write.error.js';

function term(epoch: number, leading: { value: boolean }): { context: HaContext; end: () => void } {
  const controller = new AbortController();
  const context: HaContext = { instanceId: 'a', term: 3, since: '2026-01-01T00:00:00.000Z', signal: controller.signal, isLeading: () => leading.value, epoch };
  return { context, end: () => controller.abort() };
}

describe('Fence', () => {
  it('runs an effect with the epoch while the instance acts', async () => {
    const { context } = term(7, { value: true });
    const fence = new Fence(context);
    expect(fence.armed).toBe(true);
    expect(await fence.run('call orchestrator', (epoch) => `done at ${epoch}`)).toBe('done at 7');
  });

  it('refuses, before the effect starts, once isLeading() is false (a freeze, a lapsed lease)', async () => {
    const leading = { value: true };
    const fence = new Fence(term(7, leading).context);
    leading.value = false;
    let ran = false;
    const refused = fence.run('call orchestrator', () => (ran = true));
    await expect(refused).rejects.toEqual(new FencedWriteError('not-leading', 'call orchestrator', 7));
    await expect(refused).rejects.toMatchObject({ reason: 'not-leading', epoch: 7, message: 'call orchestrator refused: this instance no longer acts as leader (epoch 7)' });
    expect(ran).toBe(false);
  });

  it('refuses once the term signal aborted, even if isLeading() were still true', () => {
    const { context, end } = term(2, { value: true });
    const fence = new Fence(context);
    end();
    expect(() => fence.check('put a/b')).toThrow(FencedWriteError);
    expect(fence.mayAct()).toBe(false);
  });

  it('is unarmed without HA: never refuses, epoch 0', async () => {
    const standalone = new Fence({ instanceId: 'solo', term: 0, since: '2026-01-01T00:00:00.000Z', signal: AbortSignal.abort() });
    expect(standalone.armed).toBe(false);
    expect(standalone.epoch).toBe(0);
    expect(await standalone.run('put a/b', (epoch) => epoch)).toBe(0);
    expect(new Fence().mayAct()).toBe(true);
  });
});
