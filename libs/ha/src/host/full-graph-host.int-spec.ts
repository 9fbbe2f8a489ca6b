import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { FullGraphHost } from './full-graph-host.js';
import type { HaContext } from '../ha-context.js';
import { SampleGraphModule, sampleGraphProbe } from '../testing/sample-graph.module.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

@Injectable()
class ExplodingService implements OnModuleInit {
  onModuleInit(): void {
    throw new Error('plugin descriptor is corrupt');
  }
}
@Module({ providers: [ExplodingService] })
class ExplodingGraph {}

let releaseSlow: () => void = () => undefined;
let slowStarted = 0;
@Controller('slow')
class SlowController {
  @Get()
  async slow() {
    slowStarted += 1;
    await new Promise<void>((resolve) => (releaseSlow = resolve));
    return { done: true };
  }
}
@Module({ controllers: [SlowController] })
class SlowGraph {}

function context(term: number): HaContext & { end: () => void } {
  const controller = new AbortController();
  return { instanceId: 'host-test', term, since: new Date().toISOString(), signal: controller.signal, end: () => controller.abort() };
}

describe('FullGraphHost', () => {
  let server: Server | undefined;
  afterEach(async () => {
    releaseSlow();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function serve(host: FullGraphHost): Promise<string> {
    server = createServer((req, res) => host.dispatch(req, res, () => res.writeHead(503).end('down')));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  it('a child that fails to initialise rejects activate() and leaves the process and the host usable', async () => {
    const host = new FullGraphHost({ application: ExplodingGraph, drainTimeoutMs: 100, logger: false });
    await expect(host.activate(context(1))).rejects.toThrow(/failed to start/);
    expect(host.isUp).toBe(false);
    await host.deactivate('after failure'); // nothing to close, must not throw
  });

  it('deactivate() stops routing at once, drains in-flight requests (bounded), then closes', async () => {
    const host = new FullGraphHost({ application: SlowGraph, drainTimeoutMs: 5_000, logger: false });
    await host.activate(context(1));
    const base = await serve(host);
    const startedBefore = slowStarted;
    const inFlight = fetch(`${base}/slow`);
    await waitUntil(() => slowStarted > startedBefore, { what: 'slow request in flight' });
    const deactivating = host.deactivate('test');
    expect((await fetch(`${base}/slow`)).status).toBe(503); // a new request is refused during the drain
    releaseSlow();
    expect((await inFlight).status).toBe(200); // the one in flight completes
    await deactivating;
    expect(host.isUp).toBe(false);
  });

  it('idle() waits for what the graph is serving (a quiescing leader), and no longer than its bound', async () => {
    const host = new FullGraphHost({ application: SlowGraph, drainTimeoutMs: 5_000, logger: false });
    await host.activate(context(1));
    const base = await serve(host);
    const startedBefore = slowStarted;
    const inFlight = fetch(`${base}/slow`);
    await waitUntil(() => slowStarted > startedBefore, { what: 'slow request in flight' });
    let idle = false;
    const waiting = host.idle(10_000).then(() => (idle = true));
    const bounded = performance.now();
    await host.idle(200);
    expect(performance.now() - bounded).toBeGreaterThanOrEqual(190);
    expect(idle).toBe(false);
    releaseSlow();
    expect((await inFlight).status).toBe(200);
    await waiting;
    expect(idle).toBe(true);
    await host.deactivate('test');
  });

  it('a drain that outlives its bound does not block the demotion', async () => {
    const host = new FullGraphHost({ application: SlowGraph, drainTimeoutMs: 200, logger: false });
    await host.activate(context(1));
    const base = await serve(host);
    const startedBefore = slowStarted;
    const stuck = fetch(`${base}/slow`).catch(() => undefined);
    await waitUntil(() => slowStarted > startedBefore, { what: 'slow request in flight' });
    const started = Date.now();
    await host.deactivate('bounded');
    expect(Date.now() - started).toBeLessThan(3_000);
    releaseSlow();
    await stuck;
  });

  it('leak test: 20 activation cycles, then no child application is reachable after a forced GC', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run jest with node --expose-gc (npm test does)');
    const host = new FullGraphHost({ application: SampleGraphModule, drainTimeoutMs: 100, logger: false });
    const refs: WeakRef<object>[] = [];
    sampleGraphProbe.contexts.length = 0;
    for (let term = 1; term <= 20; term++) {
      const ctx = context(term);
      await host.activate(ctx);
      refs.push(new WeakRef((host as unknown as { running: { app: object } }).running.app));
      ctx.end();
      await host.deactivate(`cycle ${term}`);
    }
    sampleGraphProbe.contexts.length = 0; // the probe's own references would keep contexts, not apps
    await waitUntil(
      async () => {
        gc();
        await new Promise((r) => setImmediate(r));
        return refs.every((ref) => ref.deref() === undefined) || undefined;
      },
      { what: 'all 20 child applications collected', timeoutMs: 10_000, intervalMs: 100 },
    );
  });
});
