/** Everything one frame of the demo shows; built by the poller and the actions, drawn by renderStatus. */
export interface InstanceView {
  id: string;
  port: number;
  pid: number | undefined;
  /** Election role from /rest/admin/ha; `starting`/`stopping` around a boot or SIGTERM; `down` with no process. */
  role: string;
  /** /rest/admin/health: what Consul's check sees. */
  health: 'up' | 'down' | '?';
  term: number | undefined;
  rssBytes: number | undefined;
}

export interface DemoSnapshot {
  nowMs: number;
  endpoints: string[];
  instances: InstanceView[];
  leader: { id: string; term: number } | null;
  traffic: { okPerSecond: number; failedPerSecond: number; okTotal: number; failedTotal: number; via: string };
  lastFailover: string | undefined;
  events: Array<{ atMs: number; text: string }>;
  message: string;
}

export const KEYS = 'k SIGKILL leader · s step down leader · t SIGTERM leader · 1-9 kill/restart instance n · r restart dead · q quit';

const ROLE_MARK: Record<string, string> = { leader: '★ leader', activating: '… activating', deactivating: '… deactivating', backup: '  backup', starting: '  starting', stopping: '… stopping', down: '✗ DOWN' };

/** The whole screen as lines (pure: the demo's spec checks what a person would read). */
export function renderStatus(s: DemoSnapshot): string[] {
  const leader = s.leader ? `${s.leader.id} (term ${s.leader.term})` : 'NONE: no instance serves requests';
  const rows = s.instances.map((i) =>
    [
      i.id.padEnd(8),
      String(i.port).padEnd(6),
      String(i.pid ?? '-').padEnd(8),
      (ROLE_MARK[i.role] ?? `  ${i.role}`).padEnd(16),
      i.health.padEnd(7),
      String(i.term ?? '-').padEnd(5),
      i.rssBytes === undefined ? '-' : `${Math.round(i.rssBytes / 1024 / 1024)} MB`,
    ].join(' '),
  );
  const t = s.traffic;
  return [
    `a4c-ha demo · ${time(s.nowMs)}`,
    ...s.endpoints.map((e) => `  ${e}`),
    '',
    `LEADER: ${leader}`,
    '',
    `${'instance'.padEnd(8)} ${'port'.padEnd(6)} ${'pid'.padEnd(8)} ${'role'.padEnd(16)} ${'health'.padEnd(7)} ${'term'.padEnd(5)} rss`,
    ...rows,
    '',
    `requests ${t.via}: ${t.okPerSecond} req/s ok, ${t.failedPerSecond} errors/s · total ${t.okTotal} ok, ${t.failedTotal} failed`,
    `last failover: ${s.lastFailover ?? '-'}`,
    '',
    'events:',
    ...s.events.slice(-10).map((e) => `  ${time(e.atMs)}  ${e.text}`),
    '',
    `keys: ${KEYS}`,
    s.message ? `> ${s.message}` : '',
  ];
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}
