import type { ConfigResult } from '../scenarios/config-run.js';
import { summarize } from '../stats/summary.js';
import type { TableRow } from './table.js';

const MB = 1024 * 1024;

/** The rows of the bench table from every configuration's raw measurements. */
export function resultRows(configs: readonly ConfigResult[]): TableRow[] {
  const rows: TableRow[] = [];
  const shortNote = (done: number, planned: number, what: string) => (done < planned ? `cut short: ${done} of ${planned} ${what}` : undefined);
  for (const c of configs) {
    rows.push({ figure: `failover SIGKILL N=${c.size} period=${c.period}s`, unit: 's', summary: summarize(c.kills.map((l) => l.failoverMs / 1000)), note: c.errors[0] ?? failedNote(c.kills.map((l) => l.failoverMs)) ?? shortNote(c.kills.length, c.plannedKills, 'kills') });
  }
  for (const c of configs) {
    rows.push({ figure: `handover SIGTERM N=${c.size} period=${c.period}s`, unit: 's', summary: summarize(c.handovers.map((l) => l.failoverMs / 1000)), note: failedNote(c.handovers.map((l) => l.failoverMs)) ?? shortNote(c.handovers.length, c.plannedHandovers, 'handovers') });
  }
  // what the election takes of a failover; the rest is HAProxy noticing (checks every 500 ms)
  for (const period of [...new Set(configs.map((c) => c.period))]) {
    const kills = configs.filter((c) => c.period === period).flatMap((c) => c.kills);
    rows.push({ figure: `new leader up after SIGKILL period=${period}s (log, all N)`, unit: 's', summary: summarize(kills.map((l) => l.newLeaderMs / 1000)) });
  }
  const losses = configs.flatMap((c) => [...c.kills, ...c.handovers]);
  rows.push({ figure: 'requests failed per SIGKILL (all N)', unit: 'req', summary: summarize(configs.flatMap((c) => c.kills.map((l) => l.failedRequests))), note: 'sent between the signal and the first 2xx, 50 req/s' });
  rows.push({ figure: 'activation (a4c_ha_activation_seconds)', unit: 'ms', summary: summarize(losses.map((l) => l.activationMs)) });
  rows.push({ figure: 'activation (log: activating -> leader)', unit: 'ms', summary: summarize(losses.map((l) => l.activationLogMs)) });
  rows.push({ figure: 'deactivation on SIGTERM (log)', unit: 'ms', summary: summarize(configs.flatMap((c) => c.handovers.map((l) => l.deactivationMs))) });
  rows.push({ figure: 'SIGTERM to process exit', unit: 'ms', summary: summarize(configs.flatMap((c) => c.handovers.map((l) => l.exitMs))) });
  const idle = configs.flatMap((c) => c.idle ?? []);
  rows.push({ figure: 'RSS leader (VmRSS, under traffic)', unit: 'MB', summary: summarize(losses.flatMap((l) => (l.rssLeaderBytes === undefined ? [] : [l.rssLeaderBytes / MB]))) });
  rows.push({ figure: 'RSS backup (VmRSS)', unit: 'MB', summary: summarize(losses.flatMap((l) => l.rssBackupBytes.map((b) => b / MB))) });
  rows.push({ figure: 'Consul requests/min at idle, leader', unit: 'req/min', summary: summarize(idle.filter((i) => i.role === 'leader').map((i) => i.requestsPerMinute)) });
  rows.push({ figure: 'Consul requests/min at idle, backup', unit: 'req/min', summary: summarize(idle.filter((i) => i.role === 'backup').map((i) => i.requestsPerMinute)) });
  return rows;
}

function failedNote(values: number[]): string | undefined {
  const failed = values.filter((v) => !Number.isFinite(v)).length;
  return failed > 0 ? `${failed} without a new leader within 30 s` : undefined;
}
