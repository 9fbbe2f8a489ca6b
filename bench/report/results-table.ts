import type { ConfigResult } from '../scenarios/config-run.js';
import type { LeaderLoss } from '../scenarios/leader-loss.js';
import { quantile, summarize } from '../stats/summary.js';
import type { TableRow } from './table.js';

const MB = 1024 * 1024;

/** The rows of the bench table from every configuration's raw measurements. */
export function resultRows(configs: readonly ConfigResult[]): TableRow[] {
  const rows: TableRow[] = [];
  const shortNote = (done: number, planned: number, what: string) => (done < planned ? `cut short: ${done} of ${planned} ${what}` : undefined);
  const of = (c: ConfigResult) => `N=${c.size} period=${c.period}s peers=${c.peerDetection ? 'on' : 'off'}`;
  for (const c of configs) {
    rows.push({ figure: `SIGKILL -> acting leader ${of(c)} (log)`, unit: 'ms', summary: summarize(c.kills.map((l) => l.newLeaderMs)), note: failedNote(c.kills.map((l) => l.newLeaderMs)) });
  }
  for (const c of configs.filter((c) => c.plannedRestarts > 0)) {
    rows.push({ figure: `SIGKILL + restart at once -> acting leader ${of(c)} (log)`, unit: 'ms', summary: summarize(c.restarts.map((l) => l.newLeaderMs)), note: failedNote(c.restarts.map((l) => l.newLeaderMs)) ?? shortNote(c.restarts.length, c.plannedRestarts, 'restarts') });
  }
  for (const c of configs) {
    rows.push({ figure: `GETs in a kill window ${of(c)}`, unit: 'ms', summary: summarize(c.kills.flatMap((l) => l.killWindowLatenciesMs)), note: killWindowNote(c) });
  }
  for (const c of configs) {
    rows.push({ figure: `failover SIGKILL ${of(c)}`, unit: 's', summary: summarize(c.kills.map((l) => l.failoverMs / 1000)), note: c.errors[0] ?? failedNote(c.kills.map((l) => l.failoverMs)) ?? shortNote(c.kills.length, c.plannedKills, 'kills') });
  }
  for (const c of configs) {
    rows.push({ figure: `handover SIGTERM ${of(c)}`, unit: 's', summary: summarize(c.handovers.map((l) => l.failoverMs / 1000)), note: failedNote(c.handovers.map((l) => l.failoverMs)) ?? shortNote(c.handovers.length, c.plannedHandovers, 'handovers') });
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

/** p99 (the summary stops at p95) and the failures among a configuration's kill-window GETs. */
function killWindowNote(c: ConfigResult): string | undefined {
  const latencies = c.kills.flatMap((l) => l.killWindowLatenciesMs).sort((a, b) => a - b);
  if (latencies.length === 0) return undefined;
  const total = (count: (l: LeaderLoss) => number) => c.kills.reduce((sum, l) => sum + (Number.isFinite(count(l)) ? count(l) : 0), 0);
  const failed = total((l) => l.killWindowFailed);
  const inFlight = total((l) => l.killWindowFailedInFlight);
  return `p99 ${quantile(latencies, 0.99).toFixed(0)} ms, ${failed} failed of ${latencies.length}${failed ? ` (${inFlight} sent before the killed process's exit was seen)` : ''}`;
}

function failedNote(values: number[]): string | undefined {
  const failed = values.filter((v) => !Number.isFinite(v)).length;
  return failed > 0 ? `${failed} without a new leader within 30 s` : undefined;
}
