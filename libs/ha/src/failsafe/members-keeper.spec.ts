import { describe, expect, it } from '@jest/globals';
import type { ConsulPort, ServiceInstance } from '../consul/consul.port.js';
import { FakeClock } from '../testing/fake-clock.js';
import { MembersKeeper } from './members-keeper.js';

const INTERVAL_MS = 1_000;
const self = { id: 'a', url: 'http://10.0.0.1:8088' };
const passing = (id: string, ip: string): ServiceInstance => ({ serviceId: `a4c-${id}`, address: ip, port: 8088, checkStatus: 'passing' });

/** A Consul port where the test decides what the catalog lists and how each write of the key ends. */
function consulWith(catalog: () => ServiceInstance[], writes: (() => Promise<boolean>)[]): ConsulPort {
  return {
    listServiceInstances: async () => catalog(),
    acquire: () => (writes.shift() ?? (() => Promise.resolve(true)))(),
  } as Partial<ConsulPort> as ConsulPort;
}

function keeperOn(clock: FakeClock, consul: ConsulPort): MembersKeeper {
  return new MembersKeeper({
    consul,
    clock,
    key: 'service/a4c/leader',
    sessionId: 's1',
    serviceName: 'a4c',
    protocol: 'http',
    self,
    intervalMs: INTERVAL_MS,
    valueWith: (members) => JSON.stringify({ id: 'a', members }),
    leading: () => true,
    onError: () => undefined,
  });
}

describe('the leader keeps the key members (rule 13)', () => {
  it('a list acknowledged by Consul is whom the rounds ask', async () => {
    const clock = new FakeClock();
    const keeper = keeperOn(clock, consulWith(() => [passing('a', '10.0.0.1'), passing('b', '10.0.0.2')], []));
    expect(keeper.forRounds()).toBeNull();
    keeper.start();
    await clock.advance(0);
    expect(keeper.forRounds()?.map((m) => m.id)).toEqual(['a', 'b']);
    keeper.stop();
  });

  it('a write whose answer has not come back may have landed: its members are asked already (found by the simulation)', async () => {
    // the servers apply a write at once; its answer can take seconds (a cut agent fails a call in flight
    // only when it finds the connection dead), and meanwhile a reader may find the new list in the key
    const clock = new FakeClock();
    let catalog = [passing('a', '10.0.0.1')];
    const keeper = keeperOn(clock, consulWith(() => catalog, [() => Promise.resolve(true), () => new Promise<boolean>(() => undefined)]));
    keeper.start();
    await clock.advance(0);
    expect(keeper.forRounds()?.map((m) => m.id)).toEqual(['a']);
    catalog = [passing('a', '10.0.0.1'), passing('d', '10.0.0.4')]; // d starts and passes
    await clock.advance(INTERVAL_MS);
    // the write listing d is in flight: d may read itself listed in the key, so it races freely, and a
    // round that does not ask d could extend acting while d takes over
    expect(keeper.forRounds()?.map((m) => m.id)).toEqual(['a', 'd']);
    keeper.stop();
  });
});
