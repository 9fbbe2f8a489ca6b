import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module } from '@nestjs/common';
import { FullGraphHost } from './full-graph-host.js';
import { HA_CONTEXT, type HaContext } from '../ha-context.js';
import { Fence } from '../fencing/fence.js';
import type { EpochRequest, HaFencing } from '../fencing/ha-fencing.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

/** What the booted graph saw: its HaContext and the injected Fence. */
const seen: Array<{ context: HaContext; fence: Fence }> = [];

@Injectable()
class Witness {
  constructor(@Inject(HA_CONTEXT) context: HaContext, fence: Fence) {
    seen.push({ context, fence });
  }
}
@Module({ providers: [Witness] })
class WitnessGraph {}

function context(term: number): HaContext {
  return { instanceId: 'fenced-host', term, since: new Date().toISOString(), signal: new AbortController().signal, isLeading: () => true };
}

/** A fencing source the test releases by hand, recording what was asked. */
function manualFencing() {
  const requests: EpochRequest[] = [];
  let answer: (epoch: number) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const fencing: HaFencing = {
    obtainEpoch: (request) => {
      requests.push(request);
      return new Promise<number>((resolve, reject) => ((answer = resolve), (fail = reject)));
    },
  };
  return { fencing, requests, answer: (epoch: number) => answer(epoch), fail: (error: Error) => fail(error) };
}

describe('FullGraphHost with a fencing source', () => {
  it('obtains the epoch before the graph exists, then boots it with HaContext.epoch and a Fence at that epoch', async () => {
    seen.length = 0;
    const source = manualFencing();
    const host = new FullGraphHost({ application: WitnessGraph, drainTimeoutMs: 100, logger: false, fencing: source.fencing });
    const activation = host.activate(context(4));
    await waitUntil(() => source.requests.length === 1 || undefined, { what: 'the epoch asked for' }); // not answered yet: nothing may boot
    expect(source.requests).toEqual([{ instanceId: 'fenced-host', term: 4 }]);
    expect(seen).toEqual([]);
    expect(host.isUp).toBe(false);
    expect(host.epoch).toBe(0);

    source.answer(17);
    await activation;
    expect(host.isUp).toBe(true);
    expect(host.epoch).toBe(17);
    expect(seen.map((s) => [s.context.epoch, s.context.term, s.fence.epoch, s.fence.armed])).toEqual([[17, 4, 17, true]]);
    await host.deactivate('test over');
    expect(host.epoch).toBe(0);
  });

  it('fails the activation when no epoch can be obtained, without booting anything', async () => {
    seen.length = 0;
    const source = manualFencing();
    const host = new FullGraphHost({ application: WitnessGraph, drainTimeoutMs: 100, logger: false, fencing: source.fencing });
    const activation = host.activate(context(5));
    await waitUntil(() => source.requests.length === 1 || undefined, { what: 'the epoch asked for' });
    source.fail(new Error('Elasticsearch unreachable'));
    await expect(activation).rejects.toThrow('the full graph failed to start');
    expect(seen).toEqual([]);
    expect(host.isUp).toBe(false);
  });

  it('refuses an epoch that is not a positive integer', async () => {
    const host = new FullGraphHost({ application: WitnessGraph, drainTimeoutMs: 100, logger: false, fencing: { obtainEpoch: async () => 0 } });
    await expect(host.activate(context(6))).rejects.toThrow('the full graph failed to start');
  });

  it('boots at epoch 0 without a fencing source (HA off)', async () => {
    seen.length = 0;
    const host = new FullGraphHost({ application: WitnessGraph, drainTimeoutMs: 100, logger: false });
    await host.activate({ instanceId: 'solo', term: 0, since: new Date().toISOString(), signal: new AbortController().signal });
    expect(host.epoch).toBe(0);
    expect(seen.map((s) => [s.context.epoch, s.fence.epoch, s.fence.armed])).toEqual([[undefined, 0, false]]);
    await host.deactivate('test over');
  });
});
