import type { LeaderValue } from './leader-value.js';

/**
 * Who held the lock before us, as the key's value told it at the moment we took it (docs/architecture.md,
 * rule 10):
 * - `none`: it was released cleanly (rule 4 writes `released` into the value) or it was ourselves, so
 *   nobody else can be acting;
 * - `peer`: another instance whose lease may still run; we ask it and wait for its lease otherwise;
 * - `unknown`: the key was absent or its value unreadable (first start, operator delete, Consul state
 *   loss), or its holder had not yet proven that the holder before it stopped (`takeoverPending`):
 *   somebody may still be acting, so only the lease wait makes it safe.
 */
export type Predecessor =
  | { kind: 'none'; reason: string }
  | { kind: 'peer'; id: string; url: string }
  | { kind: 'unknown'; reason: string };

/** What a new holder writes into `takeoverPending` until its takeover is safe; undefined when it is at once. */
export function pendingTakeoverOf(predecessor: Predecessor): string | undefined {
  switch (predecessor.kind) {
    case 'none':
      return undefined;
    case 'peer':
      return `${predecessor.id} not yet proven stopped`;
    case 'unknown':
      return predecessor.reason;
  }
}

export function predecessorOf(value: LeaderValue | null, rawPresent: boolean, selfId: string): Predecessor {
  if (!rawPresent) return { kind: 'unknown', reason: 'the key did not exist' };
  if (!value) return { kind: 'unknown', reason: 'the key held no leader value' };
  // a holder that never cleared its own predecessor cannot vouch for it, by release or by answer
  if (value.takeoverPending) return { kind: 'unknown', reason: `${value.id} had not yet proven that the holder before it stopped (${value.takeoverPending})` };
  if (value.released) return { kind: 'none', reason: `${value.id} released the lock cleanly` };
  if (value.id === selfId) return { kind: 'none', reason: 'the previous holder was this instance' };
  return { kind: 'peer', id: value.id, url: value.url };
}
