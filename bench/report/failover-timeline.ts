import type { RoleEvent } from '../harness/a4c-process.js';
import type { RequestSample } from '../harness/traffic.js';
import type { LaneRole, TimelineInput } from './timeline-svg.js';

const ROLES = new Set<string>(['backup', 'acquiring', 'activating', 'leader', 'deactivating', 'stopped', 'down']);

/** The role segments of one instance within [startMs, endMs] from its ordered role events. */
export function laneSegments(events: readonly RoleEvent[], startMs: number, endMs: number): TimelineInput['lanes'][number]['segments'] {
  const before = events.filter((e) => e.atMs <= startMs).at(-1);
  const inside = events.filter((e) => e.atMs > startMs && e.atMs < endMs);
  const points = [{ atMs: startMs, role: before?.role ?? 'down' }, ...inside];
  return points.map((p, n) => ({ fromMs: p.atMs, toMs: points[n + 1]?.atMs ?? endMs, role: (ROLES.has(p.role) ? p.role : 'backup') as LaneRole }));
}

export interface FailoverTimelineInput {
  title: string;
  instances: ReadonlyArray<{ id: string; roleEvents: readonly RoleEvent[] }>;
  samples: readonly RequestSample[];
  signal: { atMs: number; label: string };
  firstSuccess: RequestSample | undefined;
  /** Shown before the signal and after the first 2xx. */
  marginMs?: number;
}

/** One failover as a timeline: who held which role, and what the user saw through the proxy. */
export function failoverTimeline(input: FailoverTimelineInput): TimelineInput {
  const margin = input.marginMs ?? 1_000;
  const startMs = input.signal.atMs - margin;
  const endMs = (input.firstSuccess?.doneAtMs ?? input.signal.atMs + 10_000) + margin;
  const markers = [input.signal];
  if (input.firstSuccess) {
    const seconds = ((input.firstSuccess.doneAtMs - input.signal.atMs) / 1000).toFixed(2);
    markers.push({ atMs: input.firstSuccess.doneAtMs, label: `first 2xx from ${input.firstSuccess.server ?? '?'} (+${seconds} s)` });
  }
  return {
    title: input.title,
    startMs,
    endMs,
    originMs: input.signal.atMs,
    lanes: input.instances.map((i) => ({ name: i.id, segments: laneSegments(i.roleEvents, startMs, endMs) })),
    requests: input.samples.filter((s) => s.sentAtMs >= startMs && s.sentAtMs <= endMs).map((s) => ({ atMs: s.sentAtMs, status: s.status, server: s.server })),
    markers,
  };
}
