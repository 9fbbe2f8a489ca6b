import type { LeaderValue } from './leader-value.js';

/**
 * Who held the lock before us, as the key's value told it at the moment we took it (docs/architecture.md,
 * rule 10):
 * - `none`: it was released cleanly (rule 4 writes `released` into the value) or it was ourselves, so
 *   nobody else can be acting;
 * - `peer`: another instance whose lease may still run; we ask it and wait for its lease otherwise;
 * - `unknown`: the key was absent or its value unreadable (first start, operator delete, Consul state
 *   loss): somebody may still be acting. With `askAll`, every instance the catalog lists is asked and
 *   their answers can end the wait early (docs/architecture.md, "A cold start without the lease wait");
 *   otherwise only the lease wait makes it safe.
 */
export type Predecessor =
  | { kind: 'none'; reason: string }
  | { kind: 'peer'; id: string; url: string }
  | { kind: 'unknown'; reason: string; askAll: boolean };

/**
 * `keySeenBefore`: this process has already seen the key present. A key that vanished under our eyes was
 * deleted or lost with Consul's state, and then the catalog may not list the instance that held it yet,
 * so asking the catalog is no proof: only the lease wait is.
 */
export function predecessorOf(value: LeaderValue | null, rawPresent: boolean, selfId: string, keySeenBefore = true): Predecessor {
  if (!rawPresent) return { kind: 'unknown', reason: 'the key did not exist', askAll: !keySeenBefore };
  if (!value) return { kind: 'unknown', reason: 'the key held no leader value', askAll: !keySeenBefore };
  if (value.released) return { kind: 'none', reason: `${value.id} released the lock cleanly` };
  if (value.id === selfId) return { kind: 'none', reason: 'the previous holder was this instance' };
  return { kind: 'peer', id: value.id, url: value.url };
}
