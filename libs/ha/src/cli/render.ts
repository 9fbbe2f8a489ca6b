import type { ClusterSnapshot } from './cluster-snapshot.js';

/** A plain text table: one header line, columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `a4c-ha list`: instance, url, role, acting, term, health, time since its lock was last proven. */
export function renderSnapshot(snapshot: ClusterSnapshot): string {
  const rows = snapshot.members.map((m) => [
    m.instanceId,
    m.url,
    m.role ?? 'no answer',
    m.acting === null ? '-' : m.acting ? 'yes' : 'no',
    m.term === null || m.term === 0 ? '-' : String(m.term),
    m.checkStatus,
    m.leaseProvenAgoSeconds === null ? '-' : `${m.leaseProvenAgoSeconds.toFixed(1)}s ago`,
  ]);
  const leader = snapshot.leader ? `lock held by ${snapshot.leader.id} (term ${snapshot.leader.term}, since ${snapshot.leader.since})` : 'lock free: no leader';
  const body = rows.length > 0 ? table(['INSTANCE', 'URL', 'ROLE', 'ACTING', 'TERM', 'HEALTH', 'LOCK PROVEN'], rows) : '(no instance registered in Consul)';
  return `${body}\n${leader}`;
}
