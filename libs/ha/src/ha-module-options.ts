import type { HaHealthIndicator } from './health/app-indicators.js';
import type { DynamicModule, Type } from '@nestjs/common';
import type { Clock } from './clock/clock.port.js';
import type { HaOptions } from './config/ha-config.js';
import type { ConsulPort } from './consul/consul.port.js';
import type { PeerProbePort } from './election/ports.js';
import type { ElasticsearchTarget } from './health/elasticsearch.health.js';
import type { HaFencing } from './fencing/ha-fencing.js';
import type { ConfigureApplication } from './host/full-graph-host.js';
import type { HaMetricsOptions } from './metrics/ha-metrics.js';

/** What HaModule.forRoot takes (docs/architecture.md §2): the `ha:` section and the full graph to boot on demand. */
export interface HaModuleOptions {
  /** The `ha:` keys (libs/ha/README.md "Configuration keys"): validated once, every problem reported. */
  ha: HaOptions;
  /** The full module graph, booted only on the leader (or at once when HA is off). Never imports HaModule. */
  application: Type | DynamicModule;
  /** What main.ts does to an app (prefix, pipes, filters), applied to each child before init(). */
  configureApplication?: ConfigureApplication;
  /** The port this instance listens on: part of its health-check URL and advertised leader URL. */
  serverPort: number;
  /** directories.alien: the shared directory whose free space and writability the health check watches. */
  directory: string;
  /** The Elasticsearch the full graph uses; its cluster health is part of ours. Absent: embedded store. */
  elasticsearch?: ElasticsearchTarget;
  /** Where each activation gets its fencing epoch (HaContext.epoch) before booting the graph; HA on only. */
  fencing?: HaFencing;
  /** Test seams: an in-memory Consul and a fake clock instead of the HTTP adapter and real time. */
  consul?: ConsulPort;
  clock?: Clock;
  /**
   * The application's own Terminus indicators (e.g. `() => db.pingCheck('database')`): served on
   * /rest/admin/health with the plugin's, so Consul's check sees them, and they gate the race for the
   * lock and a leader's tenure like ours (rule 8). With forRootAsync, build them from injected services.
   */
  healthIndicators?: HaHealthIndicator[];
  /** Test seam: how a new leader asks its predecessor whether it still acts (default: its leader probe over HTTP). */
  peers?: PeerProbePort;
  /** Test seam: what happens when the full graph's close overran (default: exit with code 3). */
  onCloseOverrun?: (reason: string) => void;
  /** The application's prom-client registry for the plugin's metrics, and whether it collects default metrics. */
  metrics?: HaMetricsOptions;
  /** Nest logger of the child applications (false silences them). */
  childLogger?: false;
}
