import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { exportedSeriesNames, metricNamesIn, parseRules } from './support/exported-metrics.js';
import { requireTool, runTool } from './support/tools.js';

const DIR = join(process.cwd(), 'deploy', 'prometheus');
const promtool = () => requireTool('promtool', 'apt-get install prometheus (.ci/run installs it)');
const rules = parseRules(readFileSync(join(DIR, 'a4c-ha.rules.yml'), 'utf8'));
const allRules = rules.groups.flatMap((g) => g.rules);

describe('deploy/prometheus', () => {
  it('the rules pass promtool check rules', () => {
    const result = runTool(promtool(), ['check', 'rules', join(DIR, 'a4c-ha.rules.yml')]);
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringMatching(/SUCCESS: 14 rules found/) });
  });

  it('the scrape config sample passes promtool check config', () => {
    const result = runTool(promtool(), ['check', 'config', join(DIR, 'prometheus.yml')]);
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringMatching(/is valid prometheus config/) });
  });

  it('the alert unit tests pass promtool test rules, and every alert has one that expects it to fire', () => {
    const result = runTool(promtool(), ['test', 'rules', join(DIR, 'a4c-ha.rules.test.yml')]);
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringMatching(/SUCCESS/) });
    const tests = (YAML.parse(readFileSync(join(DIR, 'a4c-ha.rules.test.yml'), 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] }).tests;
    const fired = new Set(tests.flatMap((t) => t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname));
    expect([...fired].sort()).toEqual(allRules.filter((r) => r.alert).map((r) => r.alert!).sort());
    expect(allRules.filter((r) => r.alert).map((r) => r.alert)).toEqual([
      'A4cHaNoInstanceScrapable',
      'A4cHaNoActingLeader',
      'A4cHaMoreThanOneActing',
      'A4cHaFlapping',
      'A4cHaLeaderCloseToFencing',
      'A4cHaFailsafeActive',
      'A4cHaConsulErrors',
      'A4cHaNoHealthyBackup',
    ]);
  });

  it('names, where only `up` can tell that nobody answers, the job that prometheus.yml scrapes', () => {
    const config = YAML.parse(readFileSync(join(DIR, 'prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; metrics_path: string }[] };
    const scraped = config.scrape_configs.filter((c) => c.metrics_path === '/rest/admin/metrics').map((c) => c.job_name);
    const named = new Set(allRules.flatMap((r) => [...r.expr.matchAll(/\bup\{job="([^"]+)"\}/g)].map((m) => m[1])));
    expect(named.size).toBeGreaterThan(0);
    expect([...named]).toEqual(scraped);
  });

  it('uses only metric names the product exports, and only recording rules it defines', async () => {
    const exported = await exportedSeriesNames();
    const recorded = new Set(allRules.map((r) => r.record).filter((r): r is string => r !== undefined));
    for (const rule of allRules) {
      const { metrics, recorded: used } = metricNamesIn(rule.expr);
      expect({ rule: rule.alert ?? rule.record, unknown: metrics.filter((m) => !exported.has(m)) }).toEqual({ rule: rule.alert ?? rule.record, unknown: [] });
      expect({ rule: rule.alert ?? rule.record, undefined: used.filter((m) => !recorded.has(m)) }).toEqual({ rule: rule.alert ?? rule.record, undefined: [] });
    }
  });
});
