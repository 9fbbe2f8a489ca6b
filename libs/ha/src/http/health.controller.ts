import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { HaHealthService } from '../health/ha-health.service.js';

/**
 * GET /rest/admin/health: the liveness signal Consul's HTTP check polls, the same on leader and backup.
 * 200 when disk, directory, Elasticsearch and the application's own indicators are up; 503 otherwise (never 429, which Consul would
 * count as a mere warning that keeps a sick leader's session alive).
 */
@Controller('rest/admin/health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly ha: HaHealthService,
  ) {}

  @Get()
  @HealthCheck()
  async check() {
    // one run of every indicator (ours and the application's), then one Terminus indicator per key
    const report = await this.ha.report();
    const indicator = (name: string) => async (): Promise<HealthIndicatorResult> => {
      const outcome = report[name]!;
      const session = this.indicators.check(name);
      return outcome.up ? session.up(outcome.data) : session.down(outcome.data);
    };
    return this.health.check(Object.keys(report).map(indicator));
  }
}
