import { Controller, Get, HttpException } from '@nestjs/common';
import { describeError } from '../consul/consul-errors.js';
import { HaService } from '../ha.service.js';
import type { TransitionRecord } from '../metrics/transition-history.js';
import { readClusterView, type ClusterView } from './cluster-view.js';

/** Bound of each member's status request in the cluster view: one hung member must not stall it. */
const MEMBER_STATUS_TIMEOUT_MS = 1_000;

/** The operator views of docs/architecture.md §3: the whole cluster as Consul knows it, and this instance's history. */
@Controller('rest/admin/ha')
export class HaClusterController {
  constructor(private readonly ha: HaService) {}

  /** Every instance of the service in Consul's catalog, with its check and what it reports of itself. */
  @Get('cluster')
  async cluster(): Promise<ClusterView> {
    const consul = this.ha.runtime.consul;
    const { config } = this.ha.runtime;
    if (!consul) throw new HttpException({ statusCode: 409, message: 'HA is disabled (ha.ha_enabled: false): there is no cluster to list' }, 409);
    try {
      return await readClusterView({
        consul,
        serviceName: config.serviceName,
        leaderKey: config.leaderKey,
        protocol: config.serverProtocol,
        memberTimeoutMs: MEMBER_STATUS_TIMEOUT_MS,
      });
    } catch (error) {
      throw new HttpException({ statusCode: 503, message: `cannot read the cluster from Consul: ${describeError(error)}` }, 503);
    }
  }

  /** This instance's recent election transitions, oldest first (a bounded ring buffer). */
  @Get('history')
  history(): { instanceId: string; transitions: TransitionRecord[] } {
    return { instanceId: this.ha.instanceId, transitions: this.ha.metrics.history.list() };
  }
}
