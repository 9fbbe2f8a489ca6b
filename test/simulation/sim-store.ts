import { errors } from '@elastic/elasticsearch';
import { epochOfVersion } from '../../apps/alien4cloud/src/core/storage/fenced-version.js';
import type { Prng } from './prng.js';
import type { Scheduler } from './scheduler.js';

/** One way between an instance and Elasticsearch; now and then a long one (a stalled packet, a GC pause). */
const HOP_MS = [1, 20] as const;
const STALL_CHANCE = 0.03;
const STALL_MS = [300, 8000] as const;

export interface AcceptedWrite {
  readonly doc: string;
  readonly epoch: number;
  readonly by: string;
  readonly at: number;
}

/**
 * Elasticsearch as the fenced store sees it (docs/architecture.md § Fencing): documents with external
 * versions (a write is applied only when its version is above the stored one, else a 409
 * `version_conflict_engine_exception` naming the current version) and the fence document that hands
 * out epochs, each greater than all before. Writes take a hop delay each way, sometimes a long one, so a
 * deposed leader's write can land after its successor's.
 */
export class SimElasticsearch {
  private readonly versions = new Map<string, bigint>();
  private lastEpoch = 0;
  /** Every write it applied, in order: what the store invariant is checked against. */
  readonly onAccepted: ((write: AcceptedWrite) => void)[] = [];

  constructor(
    private readonly scheduler: Scheduler,
    private readonly rng: Prng,
  ) {}

  /** The fence document's read + compare-and-set, as one atomic step on arrival. */
  obtainEpoch(deliver: (step: () => void) => void): Promise<number> {
    return this.roundTrip(deliver, () => ++this.lastEpoch);
  }

  /** The slice of the Elasticsearch client the document store's put uses. */
  client(writer: string, deliver: (step: () => void) => void, leaving: () => void): unknown {
    return {
      indices: {
        create: () => Promise.reject(responseError(400, { error: { type: 'resource_already_exists_exception', reason: 'index exists' } })),
      },
      index: (request: { id: string; version?: string | number; version_type?: string }) => {
        leaving();
        return this.roundTrip(deliver, () => this.apply(writer, request.id, BigInt(request.version ?? 0)));
      },
    };
  }

  private apply(writer: string, doc: string, version: bigint): { result: string } {
    const stored = this.versions.get(doc);
    if (stored !== undefined && version <= stored) {
      throw responseError(409, {
        error: { type: 'version_conflict_engine_exception', reason: `[${doc}]: version conflict, current version [${stored}] is higher or equal to the one provided [${version}]` },
      });
    }
    this.versions.set(doc, version);
    const write = { doc, epoch: epochOfVersion(version), by: writer, at: this.scheduler.now };
    for (const listener of this.onAccepted) listener(write);
    return { result: 'updated' };
  }

  /** Request out, effect on arrival, answer back through the caller's gate (a frozen caller hears it late). */
  private roundTrip<T>(deliver: (step: () => void) => void, effect: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.scheduler.after(this.hop(), () => {
        let outcome: () => void;
        try {
          const value = effect();
          outcome = () => resolve(value);
        } catch (error) {
          outcome = () => reject(error as Error);
        }
        this.scheduler.after(this.hop(), () => deliver(outcome));
      });
    });
  }

  private hop(): number {
    return this.rng.chance(STALL_CHANCE) ? this.rng.int(STALL_MS[0], STALL_MS[1]) : this.rng.int(HOP_MS[0], HOP_MS[1]);
  }
}

function responseError(statusCode: number, body: unknown): Error {
  return new errors.ResponseError({ body, statusCode, headers: {}, warnings: null, meta: {} as never });
}
