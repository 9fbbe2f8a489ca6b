// The single global index (Consul's Raft index). Every write takes the next value and then wakes the
// blocking queries, which re-run and decide themselves whether their result moved. A restore (control
// API reset) moves it backwards, like a snapshot restore, and wakes everyone with `restore`.

export type IndexEvent = 'change' | 'restore';

/** A fresh dev agent has already applied a handful of Raft entries; never start at 0 or 1. */
export const INITIAL_INDEX = 10;

export class RaftIndex {
  private value = INITIAL_INDEX;
  private readonly listeners = new Set<(event: IndexEvent) => void>();

  current(): number {
    return this.value;
  }

  /** Applies `fn` at the next index (all its effects share that index), then notifies watchers. */
  write<T>(fn: (index: number) => T): T {
    const index = ++this.value;
    try {
      return fn(index);
    } finally {
      this.emit('change');
    }
  }

  restore(to: number): void {
    this.value = to;
    this.emit('restore');
  }

  subscribe(listener: (event: IndexEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  watcherCount(): number {
    return this.listeners.size;
  }

  private emit(event: IndexEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
