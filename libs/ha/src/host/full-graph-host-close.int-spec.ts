import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from '@jest/globals';
import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { FullGraphHost } from './full-graph-host.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

let releaseHungClose: () => void = () => undefined;
let closesStarted = 0;

/** A shutdown hook that never ends on its own: a client that does not close, a stuck pool. */
@Injectable()
class HungOnClose implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    closesStarted += 1;
    return new Promise<void>((resolve) => (releaseHungClose = resolve));
  }
}
@Module({ providers: [HungOnClose] })
class HungCloseGraph {}

const context = () => ({ instanceId: 'close-test', term: 1, since: new Date().toISOString(), signal: new AbortController().signal });

describe('FullGraphHost: a close is bounded (rule 11)', () => {
  it('a close that hangs is given up after closeTimeoutMs: the demotion ends and the overrun is reported', async () => {
    const overruns: string[] = [];
    const host = new FullGraphHost({ application: HungCloseGraph, drainTimeoutMs: 100, closeTimeoutMs: 300, onCloseOverrun: (reason) => overruns.push(reason), logger: false });
    await host.activate(context());
    expect(host.isUp).toBe(true);
    const started = performance.now();
    await host.deactivate('lease lapsed');
    const tookMs = performance.now() - started;
    expect(host.isUp).toBe(false);
    expect(overruns).toEqual(['lease lapsed']);
    // libuv timers count whole milliseconds on a coarser clock than performance.now(): Node 24 on CI
    // fired this 300 ms bound at 299.992 ms, so one millisecond of granularity is allowed
    expect(tookMs).toBeGreaterThanOrEqual(299);
    releaseHungClose();
  });

  it('a close within its bound reports nothing', async () => {
    const overruns: string[] = [];
    const host = new FullGraphHost({ application: HungCloseGraph, drainTimeoutMs: 100, closeTimeoutMs: 5_000, onCloseOverrun: (reason) => overruns.push(reason), logger: false });
    await host.activate(context());
    const before = closesStarted;
    const closing = host.deactivate('step-down');
    await waitUntil(() => closesStarted > before, { what: 'the close hook to run' });
    releaseHungClose();
    await closing;
    expect(overruns).toEqual([]);
  });
});
