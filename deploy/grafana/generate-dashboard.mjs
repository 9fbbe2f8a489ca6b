#!/usr/bin/env node
// Generates deploy/grafana/a4c-ha-dashboard.json with Grafana's foundation SDK (dashboard as code).
//   node deploy/grafana/generate-dashboard.mjs           rewrite the committed JSON
//   node deploy/grafana/generate-dashboard.mjs --stdout  print it (test/deploy/grafana-dashboard.int-spec.ts compares)
// Every query uses only metrics /rest/admin/metrics exports (the test checks that too).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DashboardBuilder, DatasourceVariableBuilder, QueryVariableBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

const datasource = { type: 'prometheus', uid: '${datasource}' };
const job = 'job="$job"';

function query(expr, legend, refId = 'A') {
  return new DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).datasource(datasource);
}

function timeseries(title, description, unit, targets, width = 12) {
  const panel = new TimeseriesPanel().title(title).description(description).unit(unit).datasource(datasource).height(8).span(width);
  for (const target of targets) panel.withTarget(target);
  return panel;
}

function stat(title, description, expr, thresholds) {
  return new StatPanel()
    .title(title)
    .description(description)
    .datasource(datasource)
    .height(4)
    .span(6)
    .withTarget(query(expr, title))
    .thresholds({ build: () => ({ mode: 'absolute', steps: thresholds }) });
}

export function buildDashboard() {
  return new DashboardBuilder('a4c-ha: leader election')
    .uid('a4c-ha-election')
    .description('Who acts as leader, how fresh its lease is, Consul latency and errors, health indicators and process pauses of an a4c-ha cluster')
    .tags(['a4c-ha', 'consul', 'generated'])
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))
    .withVariable(new QueryVariableBuilder('job').label('Cluster (job)').datasource(datasource).query('label_values(a4c_ha_build_info, job)').refresh(1))
    .withRow(new RowBuilder('Leadership'))
    .withPanel(stat('Acting leaders', 'Instances answering 200 on their leader probe: 1 is healthy, 0 is an outage, 2 must never happen', `sum(a4c_ha_acting{${job}})`, [
      { value: null, color: 'red' },
      { value: 1, color: 'green' },
      { value: 2, color: 'red' },
    ]))
    .withPanel(stat('Healthy backups', 'Backups in the race whose health indicators are all up', `count((a4c_ha_state{${job},state=~"backup|acquiring"} == 1) and on (instance) (min by (instance) (a4c_ha_health_indicator_up{${job}}) == 1)) or vector(0)`, [
      { value: null, color: 'red' },
      { value: 1, color: 'green' },
    ]))
    .withPanel(stat('Leader elections (1h)', 'Times an instance became leader in the last hour: more than a few is flapping', `sum(increase(a4c_ha_transitions_total{${job},to="leader"}[1h]))`, [
      { value: null, color: 'green' },
      { value: 4, color: 'orange' },
    ]))
    .withPanel(stat('Term', 'The LockIndex of the current holding of the lock (a label; the fencing token is the epoch)', `max(a4c_ha_term{${job}})`, [{ value: null, color: 'blue' }]))
    .withPanel(timeseries('Acting by instance', '1 while the instance acts as leader', 'short', [query(`a4c_ha_acting{${job}}`, '{{instance}}')]))
    .withPanel(timeseries('Election state', 'The state each instance is in', 'short', [query(`a4c_ha_state{${job}} == 1`, '{{instance}} {{state}}')]))
    .withRow(new RowBuilder('Lease'))
    .withPanel(timeseries('Lease remaining', 'Seconds before the leader lease lapses and the leader stops acting; normally above 2/3 of the lease', 's', [
      query(`a4c_ha_lease_remaining_seconds{${job}}`, '{{instance}}'),
      query(`max(a4c_ha_lease_duration_seconds{${job}})`, 'lease', 'B'),
    ]))
    .withPanel(timeseries('Lock last proven', 'Seconds since the leader last proved it holds the Consul lock', 's', [query(`a4c_ha_lease_proven_age_seconds{${job}}`, '{{instance}}')]))
    .withRow(new RowBuilder('Consul'))
    .withPanel(timeseries('Consul request p99', 'p99 duration of Consul calls by operation (blocking reads apart)', 's', [
      query(`histogram_quantile(0.99, sum by (operation, le) (rate(a4c_ha_consul_request_duration_seconds_bucket{${job},operation!="watch_key"}[$__rate_interval])))`, '{{operation}}'),
    ]))
    .withPanel(timeseries('Consul errors', 'Failed Consul calls per second by instance and operation', 'reqps', [query(`sum by (instance, operation) (rate(a4c_ha_consul_errors_total{${job}}[$__rate_interval]))`, '{{instance}} {{operation}}')]))
    .withRow(new RowBuilder('Health and process'))
    .withPanel(timeseries('Health indicators', '1 while the indicator is up (what Consul\'s check sees)', 'short', [query(`a4c_ha_health_indicator_up{${job}}`, '{{instance}} {{indicator}}')]))
    .withPanel(timeseries('Event-loop lag p99', 'Long pauses (GC, blocking work) delay health answers and lease proofs: a cause of needless failovers', 's', [query(`nodejs_eventloop_lag_p99_seconds{${job}}`, '{{instance}}')]))
    .withPanel(timeseries('Full-graph activation p95', 'Time to boot the full graph after winning the lock', 's', [
      query(`histogram_quantile(0.95, sum by (le) (rate(a4c_ha_activation_seconds_bucket{${job}}[$__rate_interval])))`, 'p95'),
    ]))
    .withPanel(timeseries('Resident memory', 'RSS of each instance', 'bytes', [query(`process_resident_memory_bytes{${job}}`, '{{instance}}')]))
    .withPanel(timeseries('Build', 'Plugin version and Node.js runtime of each instance', 'short', [query(`a4c_ha_build_info{${job}}`, '{{instance}} {{version}} {{node}}')], 24))
    .build();
}

export function dashboardJson() {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}

const here = dirname(fileURLToPath(import.meta.url));
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--stdout')) process.stdout.write(dashboardJson());
  else writeFileSync(join(here, 'a4c-ha-dashboard.json'), dashboardJson());
}
