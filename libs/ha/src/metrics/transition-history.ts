/** One election state change, as `GET /rest/admin/ha/history` serves it. */
export interface TransitionRecord {
  /** ISO time of the change. */
  at: string;
  from: string;
  to: string;
  reason: string;
  term: number;
}

/** The default depth: a day of flapping is visible without the buffer growing with uptime. */
const HISTORY_CAPACITY = 100;

/** A ring buffer of this instance's recent transitions, oldest first; memory is bounded by `capacity`. */
export class TransitionHistory {
  private readonly records: TransitionRecord[] = [];

  constructor(private readonly capacity = HISTORY_CAPACITY) {}

  record(entry: TransitionRecord): void {
    this.records.push(entry);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
  }

  list(): TransitionRecord[] {
    return this.records.map((r) => ({ ...r }));
  }
}
