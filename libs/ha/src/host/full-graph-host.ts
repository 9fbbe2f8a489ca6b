import type { IncomingMessage, ServerResponse } from 'node:http';
import { Global, Logger, Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import express from 'express';
import { HA_CONTEXT, type HaContext } from '../ha-context.js';
import { Fence } from '../fencing/fence.js';
import type { HaFencing } from '../fencing/ha-fencing.js';
import type { FullGraphPort } from '../election/ports.js';
import { describeError } from '../consul/consul-errors.js';

export type ConfigureApplication = (app: INestApplication) => void | Promise<void>;

interface RunningGraph {
  app: INestApplication;
  handler: express.Express;
  /** Requests the graph is serving: the one count that the quiesce and the drain both wait on. */
  inFlight: number;
  drained: Set<() => void>;
  /** The fencing epoch this graph was booted with (0: none). */
  epoch: number;
}

export interface FullGraphHostOptions {
  application: Type | DynamicModule;
  configureApplication?: ConfigureApplication;
  drainTimeoutMs: number;
  /** Bound on app.close() after the drain (rule 11); past it, onCloseOverrun decides (the process exits). */
  closeTimeoutMs?: number;
  /** Called when a close overran closeTimeoutMs: the graph may still hold resources, so start clean. */
  onCloseOverrun?: (reason: string) => void;
  /** Nest logger for the child (false silences it, e.g. in tests). */
  logger?: false | Logger;
  /** Obtains the fencing epoch before each boot (HA on); absent: epoch 0. */
  fencing?: HaFencing;
}

/** Makes HA_CONTEXT and its Fence injectable everywhere in the child without the full graph importing HaModule. */
@Global()
@Module({})
class HaContextModule {}

function childRoot(application: Type | DynamicModule, context: HaContext): DynamicModule {
  return {
    module: HaContextModule,
    global: true,
    imports: [application],
    providers: [{ provide: HA_CONTEXT, useValue: context }, { provide: Fence, useValue: new Fence(context) }],
    exports: [HA_CONTEXT, Fence],
  };
}

/**
 * Boots the full graph as a separate Nest application (never listening: the parent forwards to it) and
 * closes it again. Transitions are serialised; a failing child never takes the process down.
 */
export class FullGraphHost implements FullGraphPort {
  private running: RunningGraph | null = null;
  private abandonActivation: (() => void) | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly logger = new Logger('FullGraphHost');

  constructor(private readonly options: FullGraphHostOptions) {}

  get isUp(): boolean {
    return this.running !== null;
  }

  /** The fencing epoch of the running graph; 0 when none runs or without fencing. */
  get epoch(): number {
    return this.running?.epoch ?? 0;
  }

  activate(context: HaContext): Promise<void> {
    return this.serialised(async () => {
      const boot = this.obtainEpoch(context).then((fenced) => (fenced ? this.boot(fenced) : null));
      const abandoned = new Promise<'abandoned'>((resolve) => (this.abandonActivation = () => resolve('abandoned')));
      const outcome = await Promise.race([boot, abandoned]);
      this.abandonActivation = null;
      if (outcome === 'abandoned') {
        // the elector gave up on this boot (timeout, lost lock): close it whenever it finishes
        void boot.then(async (graph) => {
          if (!graph) return;
          await this.closeQuietly(graph.app);
          this.logger.log('full graph closed: activation abandoned');
        });
        throw new Error('activation abandoned');
      }
      if (!outcome) throw new Error('the full graph failed to start (see the log above)');
      if (context.signal.aborted) {
        await this.closeQuietly(outcome.app); // leadership ended while we were booting: never route to it
        this.logger.log('full graph closed: leadership ended during activation');
        throw new Error('leadership ended during activation');
      }
      this.running = outcome;
    });
  }

  deactivate(reason: string): Promise<void> {
    this.abandonActivation?.(); // a stuck boot must not hold the demotion behind it
    return this.serialised(async () => {
      const graph = this.running;
      this.running = null; // stop routing first: new requests get 503 from now on
      if (!graph) return;
      this.logger.log(`closing the full graph: ${reason}`);
      await this.drain(graph);
      await this.closeWithin(graph.app, reason);
      // the end of the term as the log tells it (the e2e one-leader check reads it): before the lock goes
      this.logger.log(`full graph closed: ${reason}`);
    }).catch((error) => this.logger.error(describeError(error)));
  }

  /** Express-style handler for the parent's dispatch middleware. */
  dispatch(request: IncomingMessage, response: ServerResponse, unavailable: () => void): void {
    const graph = this.running;
    if (!graph) return unavailable();
    graph.inFlight += 1;
    response.once('close', () => {
      graph.inFlight -= 1;
      if (graph.inFlight === 0) for (const resolve of [...graph.drained]) resolve();
    });
    graph.handler(request as express.Request, response as express.Response);
  }

  /**
   * Before anything of the graph exists (docs/architecture.md § Fencing): the epoch this activation's
   * writes will carry. Failing to get one fails the activation (null), like a graph that cannot boot.
   */
  private async obtainEpoch(context: HaContext): Promise<HaContext | null> {
    const fencing = this.options.fencing;
    if (!fencing) return context;
    const started = performance.now();
    try {
      const epoch = await fencing.obtainEpoch({ instanceId: context.instanceId, term: context.term });
      if (!Number.isSafeInteger(epoch) || epoch < 1) throw new Error(`the fencing source returned ${epoch}, not a positive integer`);
      this.logger.log(`fencing epoch ${epoch} obtained in ${Math.round(performance.now() - started)} ms [term=${context.term}]`);
      return { ...context, epoch };
    } catch (error) {
      this.logger.error(`full graph activation failed: cannot obtain a fencing epoch: ${describeError(error)}`);
      return null;
    }
  }

  private async boot(context: HaContext): Promise<RunningGraph | null> {
    const handler = express(); // a fresh instance per term: nothing of the previous child survives
    let app: INestApplication | undefined;
    try {
      app = await NestFactory.create(childRoot(this.options.application, context), new ExpressAdapter(handler), {
        abortOnError: false,
        logger: this.options.logger,
      });
      await this.options.configureApplication?.(app);
      await app.init();
      return { app, handler, inFlight: 0, drained: new Set(), epoch: context.epoch ?? 0 };
    } catch (error) {
      this.logger.error(`full graph activation failed: ${describeError(error)}`);
      if (app) await this.closeQuietly(app);
      return null;
    }
  }

  /**
   * Resolves once the running graph serves no request any more, or after `timeoutMs`: a leader about to
   * give up the lock on purpose waits here (bounded) so that what it serves finishes with its writes
   * still allowed.
   */
  async idle(timeoutMs: number): Promise<void> {
    const graph = this.running;
    if (graph) await this.settled(graph, timeoutMs);
  }

  private async drain(graph: RunningGraph): Promise<void> {
    await this.settled(graph, this.options.drainTimeoutMs);
    if (graph.inFlight > 0) this.logger.warn(`drain timed out with ${graph.inFlight} request(s) in flight`);
  }

  private async settled(graph: RunningGraph, timeoutMs: number): Promise<void> {
    if (graph.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    let resolveDrained: (() => void) | undefined;
    await Promise.race([
      new Promise<void>((resolve) => graph.drained.add((resolveDrained = resolve))),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    if (resolveDrained) graph.drained.delete(resolveDrained);
  }

  /** Rule 11: a close that hangs must not hold the demotion (and the lock, and SIGTERM) behind it. */
  private async closeWithin(app: INestApplication, reason: string): Promise<void> {
    const limit = this.options.closeTimeoutMs;
    if (limit === undefined) return this.closeQuietly(app);
    let timer: NodeJS.Timeout | undefined;
    const overran = await Promise.race([
      this.closeQuietly(app).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), limit))),
    ]);
    clearTimeout(timer);
    if (overran) {
      this.logger.error(`closing the full graph took more than ${limit} ms (ha.closeTimeoutInMillis): giving up on it (${reason})`);
      this.options.onCloseOverrun?.(reason);
    }
  }

  private async closeQuietly(app: INestApplication): Promise<void> {
    try {
      await app.close();
    } catch (error) {
      this.logger.error(`closing the full graph failed: ${describeError(error)}`);
    }
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
