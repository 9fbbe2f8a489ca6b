import { Controller, Get, Headers, HttpCode, HttpException, HttpStatus, Inject, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { HaService, type HaStatus } from '../ha.service.js';
import { HA_CONSUL, HA_SETTINGS } from '../ha-providers.js';
import type { HaConsul, HaSettings } from '../ha-runtime.js';
import { TAKEOVER_PROBE } from '../peers/takeover-probe-header.js';
import { ActingTerm } from '../term/acting-term.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { checkStepDownCandidate } from './step-down-candidate.js';

/** The status, leader-probe and step-down routes of docs/architecture.md §3, served by the parent on every instance. */
@Controller('rest/admin/ha')
export class HaStatusController {
  constructor(
    private readonly ha: HaService,
    private readonly term: ActingTerm,
    @Inject(HA_SETTINGS) private readonly settings: HaSettings,
    @Inject(HA_CONSUL) private readonly consul: HaConsul,
  ) {}

  @Get()
  status(): HaStatus {
    return this.ha.status();
  }

  /**
   * HAProxy's httpchk target and rule 10's probe: 200 only while the acting term says this instance acts.
   * A "no" to a successor's takeover probe (header X-A4C-Takeover-Probe) is a promise the successor acts
   * on, so the term records it; a proxy's probe asks nothing of us and costs nothing.
   */
  @Get('leader')
  leader(@Res() response: Response, @Headers(TAKEOVER_PROBE) takeoverProbe?: string): void {
    const acting = takeoverProbe === undefined ? this.term.mayAct() : !this.term.promiseNotActing();
    response.status(acting ? 200 : 503).json({ leader: acting, instanceId: this.ha.instanceId, role: this.ha.status().role });
  }

  @Post('step-down')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(AdminTokenGuard)
  async stepDown(@Query('candidate') candidate?: string): Promise<{ steppingDown: true; instanceId: string; candidate?: string }> {
    if (!this.settings.config.ha_enabled) {
      throw new HttpException({ statusCode: 409, message: 'HA is disabled (ha.ha_enabled: false): there is no election to step down from' }, 409);
    }
    if (candidate !== undefined && this.ha.status().role !== 'backup') await checkStepDownCandidate(this.settings, this.consul, candidate);
    if (!this.ha.stepDown(candidate)) {
      throw new HttpException({ statusCode: 409, message: `instance ${this.ha.instanceId} is not the leader`, leader: this.ha.status().leader }, 409);
    }
    return { steppingDown: true, instanceId: this.ha.instanceId, ...(candidate !== undefined ? { candidate } : {}) };
  }
}
