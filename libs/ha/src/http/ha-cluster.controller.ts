import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import { INTERNAL_DEFAULTS } from '../config/internal-defaults.js';
import { describeError } from '../consul/consul-errors.js';
import { HA_CONSUL, HA_SETTINGS } from '../ha-providers.js';
import type { HaConsul, HaSettings } from '../ha-runtime.js';
import { HaMetrics } from '../metrics/ha-metrics.js';
import type { TransitionRecord } from '../metrics/transition-history.js';
import { readClusterView, type ClusterView } from './cluster-view.js';

/** The operator views of docs/architecture.md §3: the whole cluster as Consul knows it, and this instance's history. */
@Controller('rest/admin/ha')
export class HaClusterController {
  constructor(
    @Inject(HA_SETTINGS) private readonly settings: HaSettings,
    @Inject(HA_CONSUL) private readonly consul: HaConsul,
    private readonly metrics: HaMetrics,
  ) {}

  /** Every instance of the service in Consul's catalog, with its check and what it reports of itself. */
  @Get('cluster')
  async cluster(): Promise<ClusterView> {
    const { consul } = this;
    const { config } = this.settings;
    if (!consul) throw new HttpException({ statusCode: 409, message: 'HA is disabled (ha.ha_enabled: false): there is no cluster to list' }, 409);
    try {
      return await readClusterView({
        consul,
        serviceName: config.serviceName,
        leaderKey: config.leaderKey,
        protocol: config.serverProtocol,
        memberTimeoutMs: INTERNAL_DEFAULTS.memberStatusTimeoutMs,
      });
    } catch (error) {
      throw new HttpException({ statusCode: 503, message: `cannot read the cluster from Consul: ${describeError(error)}` }, 503);
    }
  }

  /** This instance's recent election transitions, oldest first (a bounded ring buffer). */
  @Get('history')
  history(): { instanceId: string; transitions: TransitionRecord[] } {
    return { instanceId: this.settings.identity.instanceId, transitions: this.metrics.history.list() };
  }
}
