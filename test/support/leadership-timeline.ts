import type { A4cInstance, LogLine } from './a4c-cluster.js';

/**
 * Who ran a full graph when, rebuilt from each instance's output lines as the harness received them
 * (wall-clock on receipt, one clock for every process) and from the signals the harness sent.
 *
 * A term starts at the `... -> activating` transition line (logged before the graph boots, so the
 * interval starts early: conservative) and ends at `full graph closed` (logged by FullGraphHost after
 * `close()` resolved, before the lock is released), or at a `deactivating -> backup|stopped` line when
 * no graph came up, or at the process exit seen by the harness (SIGKILL: no line at all). Periods between
 * a SIGSTOP and the next SIGCONT (or the exit) are cut out: a frozen process runs no code.
 */
export interface GraphInterval {
  readonly instanceId: string;
  readonly port: number;
  readonly term: number;
  readonly start: number;
  /** Infinity while still up. */
  readonly end: number;
  /** [from, to) pieces of [start, end) during which the process could run. */
  readonly segments: ReadonlyArray<readonly [number, number]>;
  readonly endedBy: 'closed' | 'transition' | 'exit' | 'still up';
}

export interface Overlap {
  readonly a: GraphInterval;
  readonly b: GraphInterval;
  readonly from: number;
  readonly to: number;
  readonly ms: number;
}

// a transition line in text format: Nest's ConsoleLogger prints its fields after the message
// ("backup -> activating: lock acquired { instanceId: 'a', sessionId: '…', term: 3, epoch: 0, reason: '…' }")
const TRANSITION = /\b(backup|acquiring|activating|leader|deactivating|stopped) -> (backup|acquiring|activating|leader|deactivating|stopped): .*\{ instanceId: '([^']+)', sessionId: (?:'[^']*'|null), term: (\d+)/;
const CLOSED = /\[FullGraphHost\] full graph closed/;

export function graphIntervals(instance: A4cInstance): GraphInterval[] {
  const intervals: GraphInterval[] = [];
  let open: { term: number; start: number } | null = null;
  const close = (end: number, endedBy: GraphInterval['endedBy']) => {
    if (!open) return;
    intervals.push({ instanceId: instance.instanceId, port: instance.port, term: open.term, start: open.start, end, endedBy, segments: running(instance, open.start, end) });
    open = null;
  };
  for (const line of instance.lines) {
    const transition = TRANSITION.exec(line.text);
    if (transition && transition[2] === 'activating') open = { term: Number(transition[4]), start: line.at };
    else if (CLOSED.test(line.text)) close(line.at, 'closed');
    else if (transition && transition[1] === 'deactivating') close(line.at, 'transition');
  }
  if (instance.exitedAt !== undefined) close(instance.exitedAt, 'exit');
  else close(Infinity, 'still up');
  return intervals;
}

/** Cuts [start, end) where the process was stopped by SIGSTOP (until SIGCONT or exit). */
function running(instance: A4cInstance, start: number, end: number): Array<[number, number]> {
  const frozen: Array<[number, number]> = [];
  let stoppedAt: number | null = null;
  for (const { at, signal } of instance.signals) {
    if (signal === 'SIGSTOP' && stoppedAt === null) stoppedAt = at;
    if (signal === 'SIGCONT' && stoppedAt !== null) {
      frozen.push([stoppedAt, at]);
      stoppedAt = null;
    }
  }
  if (stoppedAt !== null) frozen.push([stoppedAt, instance.exitedAt ?? Infinity]);
  const segments: Array<[number, number]> = [];
  let from = start;
  for (const [s, e] of frozen) {
    if (e <= from || s >= end) continue;
    if (s > from) segments.push([from, s]);
    from = Math.max(from, e);
  }
  if (from < end) segments.push([from, end]);
  return segments;
}

/**
 * When an instance ACTED (leader probe 200, dispatch, pollers: docs/architecture.md rule 9), rebuilt from
 * its lines. Acting starts at the `-> leader: ... leading term N` transition (unless it says "not acting
 * until ownership is proven again") or at `leader: ownership proven again: acting`; it ends at
 * `leader: lease lapsed`, at `leader -> deactivating`, or at the exit. The lapse line is logged by the
 * elector's timer at (or after) the moment the lease ran out, so an interval ends late: conservative.
 * Frozen periods are cut out as for graph intervals.
 */
export function actingIntervals(instance: A4cInstance): GraphInterval[] {
  const intervals: GraphInterval[] = [];
  let open: { term: number; start: number } | null = null;
  let term = 0;
  const close = (end: number, endedBy: GraphInterval['endedBy']) => {
    if (!open) return;
    intervals.push({ instanceId: instance.instanceId, port: instance.port, term: open.term, start: open.start, end, endedBy, segments: running(instance, open.start, end) });
    open = null;
  };
  for (const line of instance.lines) {
    const transition = TRANSITION.exec(line.text);
    if (transition) term = Number(transition[4]);
    if (transition && transition[2] === 'leader' && transition[1] !== 'leader' && !NOT_ACTING.test(line.text)) open ??= { term, start: line.at };
    else if (ACTING_AGAIN.test(line.text)) open ??= { term, start: line.at };
    else if (LAPSED.test(line.text)) close(line.at, 'transition');
    else if (transition && transition[1] === 'leader') close(line.at, 'transition');
  }
  if (instance.exitedAt !== undefined) close(instance.exitedAt, 'exit');
  else close(Infinity, 'still up');
  return intervals;
}

const NOT_ACTING = /not acting until ownership is proven again/;
const ACTING_AGAIN = /\] leader: ownership proven again: acting/;
const LAPSED = /\] leader: lease lapsed/;

/** Every pair of intervals of different processes whose running segments intersect. */
export function overlaps(intervals: readonly GraphInterval[]): Overlap[] {
  const found: Overlap[] = [];
  for (let i = 0; i < intervals.length; i++) {
    for (let j = i + 1; j < intervals.length; j++) {
      const a = intervals[i]!;
      const b = intervals[j]!;
      if (a.port === b.port && a.instanceId === b.instanceId && a.start === b.start) continue;
      for (const [as, ae] of a.segments) {
        for (const [bs, be] of b.segments) {
          const from = Math.max(as, bs);
          const to = Math.min(ae, be);
          if (to > from) found.push({ a, b, from, to, ms: to - from });
        }
      }
    }
  }
  return found;
}

export function describeInterval(i: GraphInterval, origin: number): string {
  const rel = (t: number) => (Number.isFinite(t) ? `${t - origin}` : '…');
  return `${i.instanceId} term ${i.term} [${rel(i.start)}, ${rel(i.end)}) ms (${i.endedBy})`;
}

/** For failure messages: the transition lines of every instance, relative to `origin`. */
export function transitionLog(instances: readonly A4cInstance[], origin: number): string {
  const rows: Array<LogLine & { port: number }> = [];
  for (const instance of instances) {
    for (const line of instance.lines) if (TRANSITION.test(line.text) || CLOSED.test(line.text)) rows.push({ ...line, port: instance.port });
  }
  return rows
    .sort((x, y) => x.at - y.at)
    .map((r) => `${String(r.at - origin).padStart(7)} ms :${r.port} ${r.text.replace(/^.*?\[HA\] |^.*?\[FullGraphHost\] /, '')}`)
    .join('\n');
}
