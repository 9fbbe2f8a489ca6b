import { Module } from '@nestjs/common';
import { OrchestratorPollersService } from './orchestrator-pollers.service.js';
import { OrchestratorsController } from './orchestrators.controller.js';

/** Background pollers (one per configured orchestrator) and `/rest/v1/orchestrators`. */
@Module({ controllers: [OrchestratorsController], providers: [OrchestratorPollersService], exports: [OrchestratorPollersService] })
export class OrchestratorsModule {}
