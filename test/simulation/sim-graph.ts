import { Logger } from '@nestjs/common';
import type { Client } from '@elastic/elasticsearch';
import { ElasticsearchDocumentStore } from '../../apps/alien4cloud/src/core/storage/elasticsearch-document-store.js';
import { Fence, FencedWriteError } from '@a4c/ha';
import type { FullGraphPort } from '../../libs/ha/src/election/ports.js';
import type { HaContext } from '../../libs/ha/src/ha-context.js';
import type { Prng } from './prng.js';
import type { SimClock } from './sim-clock.js';
import type { SimElasticsearch } from './sim-store.js';
import type { SimProcess } from './sim-process.js';

/** Documents the leaders write: few, so that successive leaders write the same ones. */
export const DOCUMENTS = ['app-1', 'app-2', 'app-3'];
const BOOT_MS = [5, 400] as const;
const WRITE_EVERY_MS = [300, 2000] as const;
const ACTIVATION_FAILURE_CHANCE = 0.03;

export interface WriteLeaving {
  readonly writer: string;
  readonly epoch: number;
}

/**
 * The full graph of one process incarnation (FullGraphPort): its activation obtains a fencing epoch
 * from the simulated Elasticsearch and builds the REAL fenced document store (Fence + external
 * versions) on it; while the term lasts, background work puts documents through that store, as the
 * orchestrator heartbeat does. `leaving` is told each time a write passes the fence and leaves.
 */
export class SimGraph implements FullGraphPort {
  private store: ElasticsearchDocumentStore | null = null;
  private fence: Fence | null = null;
  writesRefused = 0;
  /** The fencing epoch of the current activation (0 before one was obtained). */
  epoch = 0;

  constructor(
    private readonly instanceId: string,
    private readonly process: SimProcess,
    private readonly clock: SimClock,
    private readonly es: SimElasticsearch,
    private readonly rng: Prng,
    private readonly leaving: (write: WriteLeaving) => void,
  ) {}

  /** A request the dispatch hands to this graph (the leader serves it here): one fenced put. */
  serve(doc: string): Promise<'written' | 'refused' | 'no-graph'> {
    const store = this.store;
    if (!store) return Promise.resolve('no-graph');
    return store.put('apps', { id: doc, by: this.instanceId }).then(
      () => 'written' as const,
      (error: unknown) => {
        if (!(error instanceof FencedWriteError)) throw error;
        this.writesRefused += 1;
        return 'refused' as const;
      },
    );
  }

  async activate(context: HaContext): Promise<void> {
    await this.clock.sleep(this.rng.int(BOOT_MS[0], BOOT_MS[1]));
    if (this.rng.chance(ACTIVATION_FAILURE_CHANCE)) throw new Error('bean creation failed (simulated)');
    const deliver = (step: () => void) => this.process.deliver(step);
    const epoch = await this.es.obtainEpoch(deliver);
    // the host closes a graph whose term ended while it was booting: this activation is void
    if (context.signal.aborted) throw new Error('the term ended during the activation');
    this.epoch = epoch;
    const fence = new Fence({ ...context, epoch });
    const client = this.es.client(this.instanceId, deliver, () => this.leaving({ writer: this.instanceId, epoch }));
    this.fence = fence;
    this.store = new ElasticsearchDocumentStore(client as Client, 'a4c_', fence);
    void this.work(context.signal);
  }

  async deactivate(): Promise<void> {
    this.store = null;
    this.fence = null;
    await this.clock.sleep(this.rng.int(1, 50));
  }

  /** Background work of the term: a put now and then, while the term's signal is not aborted. */
  private async work(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.clock.sleep(this.rng.int(WRITE_EVERY_MS[0], WRITE_EVERY_MS[1]), signal).catch(() => undefined);
      if (signal.aborted || !this.fence?.mayAct()) continue;
      await this.serve(this.rng.pick(DOCUMENTS));
    }
  }
}

/** The store logs at Nest's logger; a simulation of thousands of runs keeps it quiet. */
export function silenceNestLogger(): void {
  Logger.overrideLogger(false);
}
