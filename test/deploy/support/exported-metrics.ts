import YAML from 'yaml';
import { HaMetrics } from '../../../libs/ha/src/metrics/ha-metrics.js';

/**
 * Every series name the product exports on /rest/admin/metrics (histograms with their _bucket, _sum and
 * _count), from the plugin's own registry: labelled counters are declared there before their first sample.
 */
export async function exportedSeriesNames(): Promise<Set<string>> {
  const metrics = new HaMetrics(Date.now, Date.now, {
    lease: () => ({ provenAgoMs: 1, remainingMs: 1, leaseMs: 1 }),
    acting: () => true,
    onFailsafe: () => true,
    health: async () => ({ disk: { up: true }, directory: { up: true }, elasticsearch: { up: true } }),
  });
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

/** The product's metric names a PromQL expression uses (recording-rule names, with a colon, apart). */
export function metricNamesIn(expr: string): { metrics: string[]; recorded: string[] } {
  const names = [...expr.matchAll(/\b(a4c_ha[a-z0-9_:]*|nodejs_[a-z0-9_]+|process_[a-z0-9_]+)/g)].map((m) => m[1]);
  return { metrics: names.filter((n) => !n.includes(':')), recorded: names.filter((n) => n.includes(':')) };
}

export interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string; for?: string }[] }[];
}

export function parseRules(text: string): RuleFile {
  return YAML.parse(text) as RuleFile;
}
