import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HA_CONTEXT, type HaContext } from '@a4c/ha';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../app-config.token.js';
import { DOCUMENT_STORE, type DocumentStore } from '../storage/document-store.js';
import { configuredInstanceId } from './instance-id.js';
import { OrchestratorPoller } from './orchestrator-poller.js';

/**
 * Runs one poller per configured orchestrator while the graph is up. They stop when the graph closes
 * and, under HA, as soon as leadership ends (the HaContext signal aborts before the graph is closed).
 */
@Injectable()
export class OrchestratorPollersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OrchestratorPollers');
  readonly pollers: readonly OrchestratorPoller[];
  private readonly onLeadershipEnd = () => void this.stopAll('leadership ended');

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DOCUMENT_STORE) store: DocumentStore,
    @Optional() @Inject(HA_CONTEXT) private readonly ha?: HaContext,
  ) {
    const identity = { instanceId: ha?.instanceId ?? configuredInstanceId(config), term: ha?.term ?? 0, epoch: ha?.epoch ?? 0, isLeading: ha?.isLeading };
    this.pollers = config.orchestrators.map((orchestrator) => new OrchestratorPoller(orchestrator, identity, store));
  }

  /** After every module is initialised: the store is ready before the first tick. */
  onApplicationBootstrap(): void {
    if (this.ha?.signal.aborted) {
      this.logger.log('not starting orchestrator pollers: leadership already ended');
      return;
    }
    this.ha?.signal.addEventListener('abort', this.onLeadershipEnd, { once: true });
    this.pollers.forEach((poller) => poller.start());
    if (this.pollers.length > 0) this.logger.log(`started pollers: ${this.pollers.map((p) => p.orchestrator.name).join(', ')}`);
  }

  async onModuleDestroy(): Promise<void> {
    this.ha?.signal.removeEventListener('abort', this.onLeadershipEnd);
    await this.stopAll('graph closing');
  }

  private async stopAll(reason: string): Promise<void> {
    if (!this.pollers.some((p) => p.running)) return;
    this.logger.log(`stopping orchestrator pollers: ${reason}`);
    await Promise.all(this.pollers.map((poller) => poller.stop()));
  }
}
