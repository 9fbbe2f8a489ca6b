import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrchestratorConfig } from '../../config/app-config.js';
import type { DocumentStore } from '../storage/document-store.js';
import { HEARTBEATS_COLLECTION, type OrchestratorHeartbeat } from './orchestrator-heartbeat.js';

export interface PollerIdentity {
  readonly instanceId: string;
  readonly term: number;
  /** HaContext.epoch: the store refuses the write when a newer leader wrote the heartbeat since. */
  readonly epoch?: number;
  /** HaContext.isLeading: false after the term or right after a freeze, when a tick must not write. */
  readonly isLeading?: () => boolean;
}

/**
 * The background work of one orchestrator: a tick now, then one every `pollIntervalInMillis` after the
 * previous one finished (ticks never overlap). stop() resolves once the loop has ended, including the
 * tick in flight, so nothing is written after the graph is closed.
 */
export class OrchestratorPoller {
  private readonly logger: Logger;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;
  /** The loop has ended: the tick that was in flight when it was stopped has finished too. */
  private ended = false;
  private failing = false;
  private ticks = 0;
  private last: OrchestratorHeartbeat | undefined;

  constructor(
    readonly orchestrator: OrchestratorConfig,
    private readonly identity: PollerIdentity,
    private readonly store: DocumentStore,
  ) {
    this.logger = new Logger(`OrchestratorPoller:${orchestrator.name}`);
  }

  /** True until the loop has ended, tick in flight included: once false, nothing more is written. */
  get running(): boolean {
    return this.loop !== undefined && !this.ended;
  }

  get tickCount(): number {
    return this.ticks;
  }

  get lastTick(): OrchestratorHeartbeat | undefined {
    return this.last;
  }

  start(): void {
    if (this.loop || this.stopper.signal.aborted) return;
    this.loop = this.run().finally(() => {
      this.ended = true;
    });
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { signal } = this.stopper;
    while (!signal.aborted) {
      await this.tick();
      await sleep(this.orchestrator.pollIntervalInMillis, undefined, { signal }).catch(() => undefined);
    }
  }

  private async tick(): Promise<void> {
    if (this.identity.isLeading?.() === false) return; // a deposed leader waking from a freeze writes nothing
    const heartbeat: OrchestratorHeartbeat = {
      id: this.orchestrator.name,
      instanceId: this.identity.instanceId,
      orchestrator: this.orchestrator.name,
      at: new Date().toISOString(),
      term: this.identity.term,
      ...(this.identity.epoch ? { epoch: this.identity.epoch } : {}), // without fencing: the document as before
    };
    try {
      await this.store.put(HEARTBEATS_COLLECTION, heartbeat);
      this.ticks++;
      this.last = heartbeat;
      if (this.failing) this.logger.log('heartbeat stored again');
      this.failing = false;
    } catch (error) {
      // Once per failure streak, not once per tick (docs/architecture.md §7, convention 8); the next tick retries.
      if (!this.failing) this.logger.warn(`cannot store heartbeat: ${(error as Error).message}`);
      this.failing = true;
    }
  }
}
