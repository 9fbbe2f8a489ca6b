import { Controller, Get, Inject } from '@nestjs/common';
import { DOCUMENT_STORE, type DocumentStore } from '../storage/document-store.js';
import { HEARTBEATS_COLLECTION, type OrchestratorHeartbeat } from './orchestrator-heartbeat.js';
import { OrchestratorPollersService } from './orchestrator-pollers.service.js';

export interface OrchestratorView {
  readonly name: string;
  readonly pollIntervalInMillis: number;
  /** Whether this instance's poller is running. */
  readonly running: boolean;
  /** Ticks stored by this instance since the graph started. */
  readonly ticks: number;
  /** The last heartbeat in the store, whoever wrote it (after a failover: possibly the old leader). */
  readonly lastTick: Omit<OrchestratorHeartbeat, 'id' | 'orchestrator'> | null;
}

@Controller('rest/v1/orchestrators')
export class OrchestratorsController {
  constructor(
    private readonly pollers: OrchestratorPollersService,
    @Inject(DOCUMENT_STORE) private readonly store: DocumentStore,
  ) {}

  @Get()
  async list(): Promise<OrchestratorView[]> {
    return Promise.all(
      this.pollers.pollers.map(async (poller) => {
        const { name, pollIntervalInMillis } = poller.orchestrator;
        const stored = await this.store.get<OrchestratorHeartbeat>(HEARTBEATS_COLLECTION, name);
        const last = stored ?? poller.lastTick;
        return {
          name,
          pollIntervalInMillis,
          running: poller.running,
          ticks: poller.tickCount,
          lastTick: last ? { instanceId: last.instanceId, at: last.at, term: last.term, ...(last.epoch ? { epoch: last.epoch } : {}) } : null,
        };
      }),
    );
  }
}
