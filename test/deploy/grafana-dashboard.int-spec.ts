import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportedSeriesNames, metricNamesIn } from './support/exported-metrics.js';
import { runTool } from './support/tools.js';

const DIR = join(process.cwd(), 'deploy', 'grafana');

interface Panel {
  type: string;
  title?: string;
  targets?: { expr?: string }[];
}

describe('deploy/grafana', () => {
  const committed = readFileSync(join(DIR, 'a4c-ha-dashboard.json'), 'utf8');
  const dashboard = JSON.parse(committed) as { panels: Panel[]; templating: { list: { query?: unknown }[] } };

  it('the committed dashboard is what the generator (foundation SDK) produces', () => {
    const generated = runTool(process.execPath, [join(DIR, 'generate-dashboard.mjs'), '--stdout']);
    expect(generated.status).toBe(0);
    // on a mismatch: node deploy/grafana/generate-dashboard.mjs, then commit the JSON
    expect(generated.stdout).toBe(committed);
  });

  it('queries only metric names the product exports, and shows the operator metrics', async () => {
    const exported = await exportedSeriesNames();
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')),
      ...dashboard.templating.list.map((v) => (typeof v.query === 'string' ? v.query : '')),
    ].filter((e) => e !== '');
    expect(exprs.length).toBeGreaterThan(10);
    const used = new Set(exprs.flatMap((e) => metricNamesIn(e).metrics));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    for (const name of ['a4c_ha_acting', 'a4c_ha_lease_remaining_seconds', 'a4c_ha_lease_proven_age_seconds', 'a4c_ha_consul_request_duration_seconds_bucket', 'a4c_ha_health_indicator_up', 'nodejs_eventloop_lag_p99_seconds', 'a4c_ha_build_info']) {
      expect({ name, used: used.has(name) }).toEqual({ name, used: true });
    }
  });
});
