/** min / median / p95 / max of a sample: the four figures of every row of the bench table. */
export interface Summary {
  count: number;
  min: number;
  median: number;
  p95: number;
  max: number;
}

/**
 * The p-quantile (0..1) of an ascending sample, interpolating linearly between the two nearest ranks
 * (numpy's default, "type 7"): with 20 kills, p95 lies between the 19th and 20th value instead of
 * jumping to the maximum as nearest-rank would.
 */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile p must be within [0, 1], got ${p}`);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** undefined for an empty sample (a figure that could not be measured), so callers print "n/a". */
export function summarize(values: readonly number[]): Summary | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const sorted = [...finite].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0]!,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted[sorted.length - 1]!,
  };
}
