import { describe, expect, it } from '@jest/globals';
import { changeFigures, inFlightOnKill, type ChangeEvent } from '../../test/support/leader-changes.js';
import type { OpenLoopSample } from '../../test/support/load-generator.js';
import { forwardingRows, forwardingSvg } from './forwarding-failover.js';

const kill: ChangeEvent = { kind: 'sigkill', at: 10_000, from: 'a', to: 'b', actingAt: 11_000, exitedAt: 10_050 };
const stepDown: ChangeEvent = { kind: 'step-down', at: 20_000, from: 'b', to: 'c', actingAt: 20_400 };

const get = (sentAt: number, doneAt: number, status = 200): OpenLoopSample => ({ kind: 'read', sentAt, doneAt, status });
const post = (sentAt: number, doneAt: number, status = 201): OpenLoopSample => ({ kind: 'write', sentAt, doneAt, status, name: `p${sentAt}` });

describe('failed requests and latency per failover', () => {
  const samples = [
    get(8_000, 8_010), // before the kill's window: not counted
    get(9_950, 11_020), // in flight at the kill, held until the successor acted
    post(9_990, 10_060, 502), // in flight on the killed leader
    post(10_040, 10_100, 502), // reached the dying process before it was gone
    get(10_500, 11_100, 503), // failed during the kill's failover
    post(11_500, 11_520, 502), // after the successor acted: not explained by the kill
    get(19_500, 19_505), // belongs to the step-down (sent less than 1 s before it)
    post(20_100, 20_450),
  ];

  it('counts failures per change, and tells POSTs in flight on a killed leader from the others', () => {
    const [k, s] = changeFigures([kill, stepDown], samples);
    expect(k).toMatchObject({ kind: 'sigkill', failoverMs: 1000, gets: 2, failedGets: 1, failedGetsInFlightOnKill: 0, posts: 3, failedPosts: 3, failedPostsInFlightOnKill: 2 });
    expect(s).toMatchObject({ kind: 'step-down', failoverMs: 400, gets: 1, failedGets: 0, posts: 1, failedPosts: 0, failedPostsInFlightOnKill: 0 });
    expect(inFlightOnKill(samples[5]!, [kill, stepDown])).toBe(false);
  });

  it('takes the p99 latency over the requests that met the leaderless moment only', () => {
    const [k, s] = changeFigures([kill, stepDown], samples);
    expect(k!.p99GetMs).toBe(1070); // 9 950 -> 11 020; the GET before the window does not count
    expect(k!.p99PostMs).toBe(70);
    expect(s!.p99GetMs).toBe(0); // the step-down's GET was answered before it
    expect(s!.p99PostMs).toBe(350);
  });

  it('makes table rows per proxy and kind, and one SVG row per failover', () => {
    const runs = [{ proxy: 'haproxy' as const, figures: changeFigures([kill, stepDown], samples) }];
    const rows = forwardingRows(runs);
    expect(rows.map((r) => r.figure)).toContain('SIGKILL via haproxy: failed GETs per failover');
    expect(rows.find((r) => r.figure === 'SIGKILL via haproxy: failed POSTs per failover')?.note).toBe('of 3 POSTs; 2 in flight on the killed leader');
    expect(rows.find((r) => r.figure === 'SIGKILL via haproxy: GET latency p99 during the failover')?.note).toBeUndefined();
    const svg = forwardingSvg(runs);
    expect(svg.match(/failed<\/text>/g)).toHaveLength(2);
    expect(svg).toContain('1 GET / 3 POST failed');
  });
});
