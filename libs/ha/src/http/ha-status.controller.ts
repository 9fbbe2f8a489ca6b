import { Controller, Get, HttpCode, HttpException, HttpStatus, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { HaService, type HaStatus } from '../ha.service.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { checkStepDownCandidate } from './step-down-candidate.js';

/** The status, leader-probe and step-down routes of docs/architecture.md §3, served by the parent on every instance. */
@Controller('rest/admin/ha')
export class HaStatusController {
  constructor(private readonly ha: HaService) {}

  @Get()
  status(): HaStatus {
    return this.ha.status();
  }

  /** HAProxy's httpchk target: 200 only while the full graph is up on the lock holder. */
  @Get('leader')
  leader(@Res() response: Response): void {
    const active = this.ha.isActiveLeader;
    // a successor may take this "no" as proof that we stopped (rule 10): we must keep our word
    if (!active) this.ha.promiseNotActing();
    response.status(active ? 200 : 503).json({ leader: active, instanceId: this.ha.instanceId, role: this.ha.status().role });
  }

  @Post('step-down')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(AdminTokenGuard)
  async stepDown(@Query('candidate') candidate?: string): Promise<{ steppingDown: true; instanceId: string; candidate?: string }> {
    if (!this.ha.runtime.config.ha_enabled) {
      throw new HttpException({ statusCode: 409, message: 'HA is disabled (ha.ha_enabled: false): there is no election to step down from' }, 409);
    }
    if (candidate !== undefined && this.ha.status().role !== 'backup') await checkStepDownCandidate(this.ha, candidate);
    if (!this.ha.stepDown(candidate)) {
      throw new HttpException({ statusCode: 409, message: `instance ${this.ha.instanceId} is not the leader`, leader: this.ha.status().leader }, 409);
    }
    return { steppingDown: true, instanceId: this.ha.instanceId, ...(candidate !== undefined ? { candidate } : {}) };
  }
}
