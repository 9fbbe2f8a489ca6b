import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { HaService } from '../ha.service.js';

/**
 * GET /rest/admin/health: the liveness signal Consul's HTTP check polls, the same on leader and backup.
 * 200 when disk, directory and Elasticsearch are up; 503 otherwise (never 429, which Consul would
 * count as a mere warning that keeps a sick leader's session alive).
 */
@Controller('rest/admin/health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly ha: HaService,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    const report = this.ha.health.report();
    const indicator = (name: 'disk' | 'directory' | 'elasticsearch') => async (): Promise<HealthIndicatorResult> => {
      const outcome = (await report)[name];
      const session = this.indicators.check(name);
      return outcome.up ? session.up(outcome.data) : session.down(outcome.data);
    };
    return this.health.check([indicator('disk'), indicator('directory'), indicator('elasticsearch')]);
  }
}
