import { Controller, Get, Header } from '@nestjs/common';
import { HaService } from '../ha.service.js';

/** Prometheus text: leader gauge, term, transitions, activation seconds, Consul errors. */
@Controller('rest/admin/metrics')
export class MetricsController {
  constructor(private readonly ha: HaService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.ha.metrics.text();
  }
}
