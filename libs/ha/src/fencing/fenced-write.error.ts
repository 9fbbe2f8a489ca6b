/**
 * A write or other side effect the fence refused (docs/architecture.md § Fencing). It was provably NOT
 * applied: either it never left the process (`not-leading`: this instance had stopped acting), or the
 * storage refused it (`superseded`: a newer leader, at `newerEpoch`, had written the same document).
 * A user request that hits it gets `503` + `Retry-After`.
 */
export class FencedWriteError extends Error {
  override readonly name = 'FencedWriteError';
  constructor(
    readonly reason: 'not-leading' | 'superseded',
    /** What was refused, e.g. `put applications/my-app`. */
    readonly what: string,
    /** The epoch this instance acted under (0: none). */
    readonly epoch: number,
    /** With `superseded`: the epoch of the write that won. */
    readonly newerEpoch?: number,
  ) {
    super(
      reason === 'not-leading'
        ? `${what} refused: this instance no longer acts as leader (epoch ${epoch})`
        : `${what} refused: written by a newer leader (epoch ${newerEpoch ?? '?'} > ${epoch})`,
    );
  }
}
