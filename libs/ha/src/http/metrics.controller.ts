import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HaMetrics } from '../metrics/ha-metrics.js';

/**
 * Prometheus text: election state, term, transitions, activation and Consul request durations, Consul
 * errors, lease age and time left, acting, health indicators, build info and Node's process metrics.
 */
@Controller('rest/admin/metrics')
export class MetricsController {
  constructor(private readonly metrics: HaMetrics) {}

  @Get()
  async serve(@Res() response: Response): Promise<void> {
    const text = await this.metrics.text();
    response.status(200).type(this.metrics.contentType).send(text);
  }
}
