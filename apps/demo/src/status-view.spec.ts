import { describe, expect, it } from '@jest/globals';
import { renderStatus, type DemoSnapshot } from './status-view.js';

const at = Date.UTC(2026, 10, 24, 19, 30, 0, 0);

function snapshot(overrides: Partial<DemoSnapshot> = {}): DemoSnapshot {
  return {
    nowMs: at,
    endpoints: ['consul-dev http://127.0.0.1:8500 (pid 10)'],
    instances: [
      { id: 'a4c-1', port: 8088, pid: undefined, role: 'down', health: '?', term: undefined, rssBytes: undefined },
      { id: 'a4c-2', port: 8089, pid: 22, role: 'leader', health: 'up', term: 2, rssBytes: 100 * 1024 * 1024 },
      { id: 'a4c-3', port: 8090, pid: 33, role: 'backup', health: 'up', term: 0, rssBytes: 90 * 1024 * 1024 },
    ],
    leader: { id: 'a4c-2', term: 2 },
    traffic: { okPerSecond: 19, failedPerSecond: 1, okTotal: 800, failedTotal: 23, via: 'through HAProxy' },
    lastFailover: 'SIGKILL a4c-1 -> first 2xx from a4c-2 after 1.21 s',
    events: [{ atMs: at - 2_000, text: '[you] SIGKILL a4c-1 (the leader)' }],
    message: 'SIGKILL a4c-1 (the leader)',
    ...overrides,
  };
}

describe('renderStatus', () => {
  it('shows the leader, every instance with role, health and memory, the proxy rates and the failover', () => {
    const screen = renderStatus(snapshot()).join('\n');
    expect(screen).toContain('LEADER: a4c-2 (term 2)');
    expect(screen).toMatch(/a4c-1 +8088 +- +✗ DOWN +\? +- +-/);
    expect(screen).toMatch(/a4c-2 +8089 +22 +★ leader +up +2 +100 MB/);
    expect(screen).toMatch(/a4c-3 +8090 +33 +backup +up +0 +90 MB/);
    expect(screen).toContain('requests through HAProxy: 19 req/s ok, 1 errors/s · total 800 ok, 23 failed');
    expect(screen).toContain('last failover: SIGKILL a4c-1 -> first 2xx from a4c-2 after 1.21 s');
    expect(screen).toContain('19:29:58.000  [you] SIGKILL a4c-1 (the leader)');
    expect(screen).toContain('> SIGKILL a4c-1 (the leader)');
  });

  it('says plainly when nobody leads, and keeps only the last 10 events', () => {
    const events = Array.from({ length: 15 }, (_, n) => ({ atMs: at + n, text: `event ${n}` }));
    const lines = renderStatus(snapshot({ leader: null, events }));
    expect(lines).toContain('LEADER: NONE: no instance serves requests');
    expect(lines.filter((l) => l.includes('event '))).toHaveLength(10);
    expect(lines.join('\n')).not.toContain('event 4\n');
  });
});
