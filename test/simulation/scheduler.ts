/**
 * The simulation's one source of time and order (docs/architecture.md § Deterministic simulation): a
 * queue of events on a virtual global time, run one at a time, each followed by a full microtask drain.
 * Nothing in a simulated run uses a real timer or real I/O, so the order of events is a function of the
 * seed alone: equal times run in the order they were scheduled.
 */
export interface SimEvent {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

export class Scheduler {
  private heap: SimEvent[] = [];
  private seq = 0;
  private current = 0;
  /** Events run so far: the step count of the trace. */
  steps = 0;

  get now(): number {
    return this.current;
  }

  at(time: number, run: () => void): SimEvent {
    const event: SimEvent = { at: Math.max(time, this.current), seq: this.seq++, run, cancelled: false };
    this.push(event);
    return event;
  }

  after(ms: number, run: () => void): SimEvent {
    return this.at(this.current + Math.max(0, ms), run);
  }

  /** Runs the next event due at or before `until`; false when there is none. */
  runNext(until: number): boolean {
    for (;;) {
      const event = this.heap[0];
      if (!event || event.at > until) return false;
      this.pop();
      if (event.cancelled) continue;
      this.current = event.at;
      this.steps += 1;
      event.run();
      return true;
    }
  }

  /** Moves time to `time` once no event is due before it. */
  settle(time: number): void {
    this.current = Math.max(this.current, time);
  }

  private push(event: SimEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Lets every promise callback that the last event started run to its end: a macrotask turn comes only
 * after the microtask queue is empty, and the simulated code has no macrotasks of its own.
 */
export function drainMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
