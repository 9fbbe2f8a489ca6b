import { describe, expect, it } from '@jest/globals';
import { failoverTimeline, laneSegments } from './failover-timeline.js';

describe('laneSegments', () => {
  const events = [
    { atMs: 0, role: 'backup' },
    { atMs: 100, role: 'acquiring' },
    { atMs: 1_000, role: 'leader' },
    { atMs: 2_000, role: 'down' },
    { atMs: 9_000, role: 'backup' },
  ];

  it('starts with the role held at the window start and cuts at every change inside the window', () => {
    expect(laneSegments(events, 500, 3_000)).toEqual([
      { fromMs: 500, toMs: 1_000, role: 'acquiring' },
      { fromMs: 1_000, toMs: 2_000, role: 'leader' },
      { fromMs: 2_000, toMs: 3_000, role: 'down' },
    ]);
  });

  it('shows an instance with no event before the window as down', () => {
    expect(laneSegments([{ atMs: 50, role: 'backup' }], 0, 100)).toEqual([
      { fromMs: 0, toMs: 50, role: 'down' },
      { fromMs: 50, toMs: 100, role: 'backup' },
    ]);
  });
});

describe('failoverTimeline', () => {
  it('frames the signal and the first 2xx with a margin, and labels the failover time', () => {
    const timeline = failoverTimeline({
      title: 't',
      instances: [{ id: 'a4c-1', roleEvents: [{ atMs: 0, role: 'leader' }] }],
      samples: [
        { sentAtMs: 10_100, doneAtMs: 10_200, status: 503, server: null },
        { sentAtMs: 10_900, doneAtMs: 11_250, status: 200, server: 'a4c-2' },
        { sentAtMs: 20_000, doneAtMs: 20_010, status: 200, server: 'a4c-2' },
      ],
      signal: { atMs: 10_000, label: 'SIGKILL a4c-1' },
      firstSuccess: { sentAtMs: 10_900, doneAtMs: 11_250, status: 200, server: 'a4c-2' },
    });
    expect([timeline.startMs, timeline.endMs, timeline.originMs]).toEqual([9_000, 12_250, 10_000]);
    expect(timeline.markers[1]).toEqual({ atMs: 11_250, label: 'first 2xx from a4c-2 (+1.25 s)' });
    expect(timeline.requests.map((r) => r.status)).toEqual([503, 200]);
  });
});
