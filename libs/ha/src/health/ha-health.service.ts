import type { HaHealthIndicator } from './app-indicators.js';
import type { LocalHealthPort } from '../election/ports.js';
import { runAppIndicators } from './app-indicators.js';
import { checkDiskSpace, type IndicatorOutcome } from './disk-space.health.js';
import { ElasticsearchHealth, type ElasticsearchTarget } from './elasticsearch.health.js';
import { checkWritableDirectory } from './writable-directory.health.js';

export interface HaHealthSettings {
  directory: string;
  diskThresholdBytes: number;
  instanceId: string;
  elasticsearch?: ElasticsearchTarget;
  elasticsearchTimeoutMs: number;
  /** The application's own Terminus indicators: they count like ours (rule 8). */
  indicators?: readonly HaHealthIndicator[];
}

/** Our three indicators, plus one entry per key the application's indicators report. */
export type HealthReport = Record<'disk' | 'directory' | 'elasticsearch', IndicatorOutcome> & Record<string, IndicatorOutcome>;

/**
 * The indicators of docs/architecture.md §2 "Health", run together: the Terminus controller serves them to Consul's
 * check, and the elector reads them before racing for the lock (rule 8).
 */
export class HaHealthService implements LocalHealthPort {
  private readonly elasticsearch: ElasticsearchHealth | null;

  constructor(private readonly settings: HaHealthSettings) {
    this.elasticsearch = settings.elasticsearch?.urls.length
      ? new ElasticsearchHealth(settings.elasticsearch, settings.elasticsearchTimeoutMs)
      : null;
  }

  async report(): Promise<HealthReport> {
    const { directory, diskThresholdBytes, instanceId } = this.settings;
    const [disk, writable, elasticsearch, app] = await Promise.all([
      checkDiskSpace(directory, diskThresholdBytes),
      checkWritableDirectory(directory, instanceId),
      this.elasticsearch ? this.elasticsearch.check() : Promise.resolve({ up: true, data: { store: 'embedded' } }),
      runAppIndicators(this.settings.indicators ?? []),
    ]);
    // ours last: an application indicator cannot shadow disk, directory or elasticsearch
    return { ...app, disk, directory: writable, elasticsearch };
  }

  async check(): Promise<{ up: boolean; detail: string }> {
    const report = await this.report();
    const down = Object.entries(report).filter(([, outcome]) => !outcome.up);
    if (down.length === 0) return { up: true, detail: 'all indicators up' };
    return { up: false, detail: down.map(([name, o]) => `${name} down (${String(o.data.message ?? o.data.clusterStatus ?? o.data.reason ?? 'below threshold')})`).join(', ') };
  }

  async close(): Promise<void> {
    await this.elasticsearch?.close();
  }
}
