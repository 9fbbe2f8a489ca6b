import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HaService } from '../ha.service.js';

/**
 * Prometheus text: election state, term, transitions, activation and Consul request durations, Consul
 * errors, lease age and time left, acting, health indicators, build info and Node's process metrics.
 */
@Controller('rest/admin/metrics')
export class MetricsController {
  constructor(private readonly ha: HaService) {
    ha.metrics.bindSources({
      lease: () => ha.leaseStatus(),
      acting: () => ha.isActing,
      health: () => ha.health.report(),
    });
  }

  @Get()
  async metrics(@Res() response: Response): Promise<void> {
    const text = await this.ha.metrics.text();
    response.status(200).type(this.ha.metrics.contentType).send(text);
  }
}
