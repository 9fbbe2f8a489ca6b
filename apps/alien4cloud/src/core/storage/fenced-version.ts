import { errors } from '@elastic/elasticsearch';

/**
 * External versions of fenced writes (docs/architecture.md § Fencing): `epoch * 2^32 + counter`, so
 * that every write of a newer activation carries a higher version than any write of an older one, and
 * Elasticsearch (`version_type: external`) refuses a write whose version is not above the stored one.
 * Versions are Java longs (below 2^63): epochs up to 2^31 - 1, 2^32 writes per activation. They travel
 * as decimal strings, since they do not fit a JavaScript number exactly.
 */
const COUNTER_BITS = 32n;
const COUNTER_MASK = (1n << COUNTER_BITS) - 1n;
export const MAX_EPOCH = 2 ** 31 - 1;

export function epochOfVersion(version: bigint): number {
  return Number(version >> COUNTER_BITS);
}

/** Hands out increasing versions within one epoch (one per write of this activation's store). */
export class VersionCounter {
  private counter = 0n;

  constructor(readonly epoch: number) {
    if (!Number.isSafeInteger(epoch) || epoch < 1 || epoch > MAX_EPOCH) throw new RangeError(`fencing epoch must be 1-${MAX_EPOCH}, got ${epoch}`);
  }

  next(): string {
    this.counter += 1n;
    if (this.counter > COUNTER_MASK) throw new RangeError(`more than 2^32 writes in fencing epoch ${this.epoch}`);
    return ((BigInt(this.epoch) << COUNTER_BITS) | this.counter).toString();
  }

  /** After a conflict with a version of our own epoch: the next version goes above it. */
  advancePast(version: bigint): void {
    if (epochOfVersion(version) === this.epoch && (version & COUNTER_MASK) > this.counter) this.counter = version & COUNTER_MASK;
  }
}

const CURRENT_VERSION = /current version \[(\d+)\]/;

/**
 * The stored version a `version_conflict_engine_exception` names; null for such a conflict whose
 * message names none (treated as refused by a newer writer); undefined for any other error.
 */
export function conflictingVersion(error: unknown): bigint | null | undefined {
  if (!(error instanceof errors.ResponseError) || error.statusCode !== 409) return undefined;
  const body = error.body as { error?: { type?: string; reason?: string } } | undefined;
  if (body?.error?.type !== 'version_conflict_engine_exception') return undefined;
  const match = CURRENT_VERSION.exec(body.error.reason ?? '');
  return match ? BigInt(match[1]!) : null;
}
