// The KV table, its tombstones and the per-key lock-delay map, with Consul's state-store semantics
// (docs/consul-behaviour.md §3, §4). All methods take the index of the write they belong to; the caller opens
// the write (RaftIndex.write) so that a session invalidation and its key releases share one index.
import type { Clock } from '../clock.js';

export interface KvEntry {
  lockIndex: number;
  key: string;
  flags: bigint;
  value: Buffer | null;
  session?: string;
  createIndex: number;
  modifyIndex: number;
}

/** Lock-delay is clamped here when applied, whatever the session stored (MaxLockDelay). */
export const MAX_LOCK_DELAY_MS = 60_000;

function sameContent(a: KvEntry, b: KvEntry): boolean {
  const av = a.value ?? Buffer.alloc(0);
  const bv = b.value ?? Buffer.alloc(0);
  return a.flags === b.flags && a.lockIndex === b.lockIndex && a.session === b.session && av.equals(bv);
}

export class KvStore {
  private readonly entries = new Map<string, KvEntry>();
  private readonly tombstones = new Map<string, number>();
  private readonly lockDelays = new Map<string, number>();
  /** Highest index of any KV change, deletions included (the "kvs" + "tombstones" table index). */
  tableIndex = 0;

  constructor(private readonly clock: Clock) {}

  get(key: string): KvEntry | undefined {
    return this.entries.get(key);
  }

  /** Entries under `prefix`, sorted, with the index rule of kvsListTxn (prefix max, else table index). */
  list(prefix: string): { index: number; entries: KvEntry[] } {
    const entries = [...this.entries.values()].filter((e) => e.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
    let index = 0;
    if (prefix !== '') {
      for (const e of entries) index = Math.max(index, e.modifyIndex);
      for (const [key, at] of this.tombstones) if (key.startsWith(prefix)) index = Math.max(index, at);
    }
    return { index: index || this.tableIndex, entries };
  }

  all(): KvEntry[] {
    return this.list('').entries;
  }

  /** Stores `next` unless it equals the current entry (an identical write changes nothing, no index move). */
  private store(index: number, next: Omit<KvEntry, 'createIndex' | 'modifyIndex'>): void {
    const existing = this.entries.get(next.key);
    const candidate: KvEntry = { ...next, createIndex: existing?.createIndex ?? index, modifyIndex: index };
    if (existing && sameContent(existing, candidate)) return;
    if (candidate.session === undefined) delete candidate.session;
    this.entries.set(next.key, candidate);
    this.tombstones.delete(next.key);
    this.tableIndex = index;
  }

  /** Plain PUT: keeps the holder's Session, LockIndex comes from the request (0 over HTTP). */
  put(index: number, key: string, value: Buffer, flags: bigint): boolean {
    const existing = this.entries.get(key);
    this.store(index, { key, value: emptyToNull(value), flags, lockIndex: 0, session: existing?.session });
    return true;
  }

  /** `?cas=N`: 0 means "create only"; otherwise the entry's ModifyIndex must equal N. */
  cas(index: number, key: string, value: Buffer, flags: bigint, casIndex: number): boolean {
    const existing = this.entries.get(key);
    if (casIndex === 0 ? existing !== undefined : existing?.modifyIndex !== casIndex) return false;
    return this.put(index, key, value, flags);
  }

  /** True while `key` is under lock-delay (any session's acquire is refused with `false`). */
  lockDelayed(key: string): boolean {
    const until = this.lockDelays.get(key);
    if (until === undefined) return false;
    if (until > this.clock.now()) return true;
    this.lockDelays.delete(key);
    return false;
  }

  /** `?acquire=S` once the caller checked that S exists and the key is not under lock-delay. */
  acquire(index: number, key: string, value: Buffer, flags: bigint, session: string): boolean {
    const existing = this.entries.get(key);
    if (existing?.session !== undefined && existing.session !== session) return false;
    const lockIndex = existing === undefined ? 1 : existing.session === session ? existing.lockIndex : existing.lockIndex + 1;
    this.store(index, { key, value: emptyToNull(value), flags, lockIndex, session });
    return true;
  }

  /** `?release=S`: only the holder; clears Session, keeps LockIndex, takes the request's value and flags. */
  release(index: number, key: string, value: Buffer, flags: bigint, session: string): boolean {
    const existing = this.entries.get(key);
    if (existing === undefined || existing.session !== session) return false;
    this.store(index, { key, value: emptyToNull(value), flags, lockIndex: existing.lockIndex, session: undefined });
    return true;
  }

  delete(index: number, key: string): boolean {
    if (this.entries.delete(key)) {
      this.tombstones.set(key, index);
      this.tableIndex = index;
    }
    return true;
  }

  deleteTree(index: number, prefix: string): boolean {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(index, key);
    return true;
  }

  /** `DELETE ?cas=N`: an absent key is `true` (idempotent); cas=0 never deletes an existing key. */
  deleteCas(index: number, key: string, casIndex: number): boolean {
    const existing = this.entries.get(key);
    if (existing === undefined) return true;
    if (casIndex === 0 || existing.modifyIndex !== casIndex) return false;
    return this.delete(index, key);
  }

  /**
   * Session invalidation (§2.7): release or delete every key the session holds, at `index`, and arm
   * lock-delay on each of them (clamped to 60 s; 0 disables). Returns the keys touched.
   */
  invalidateSession(index: number, session: string, behavior: 'release' | 'delete', lockDelayMs: number): string[] {
    const held = [...this.entries.values()].filter((e) => e.session === session);
    for (const entry of held) {
      if (behavior === 'delete') {
        this.delete(index, entry.key);
      } else {
        const released: KvEntry = { ...entry, modifyIndex: index };
        delete released.session;
        this.entries.set(entry.key, released);
        this.tableIndex = index;
      }
      const delay = Math.min(lockDelayMs, MAX_LOCK_DELAY_MS);
      if (delay > 0) this.lockDelays.set(entry.key, this.clock.now() + delay);
    }
    return held.map((e) => e.key);
  }

  /** Empties the table (control reset); the table index restarts at `index`. */
  clear(index: number): void {
    this.entries.clear();
    this.tombstones.clear();
    this.lockDelays.clear();
    this.tableIndex = index;
  }

  /** Remaining lock-delay per key, in Consul milliseconds. */
  lockDelaySnapshot(): Record<string, number> {
    const now = this.clock.now();
    const out: Record<string, number> = {};
    for (const [key, until] of this.lockDelays) if (until > now) out[key] = Math.round(until - now);
    return out;
  }

  tombstoneSnapshot(): Record<string, number> {
    return Object.fromEntries(this.tombstones);
  }
}

/** Go encodes an empty []byte as null, so an empty value reads back as `"Value": null`. */
function emptyToNull(value: Buffer): Buffer | null {
  return value.length === 0 ? null : value;
}
