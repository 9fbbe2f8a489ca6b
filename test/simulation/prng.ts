/**
 * The simulation's only source of randomness (docs/architecture.md § Deterministic simulation): a seeded
 * PRNG (mulberry32, 32-bit state), so that one seed always gives one run. Independent streams for the
 * fault schedule and for the rest (latencies, jitter) keep a schedule readable on its own.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** A new generator whose sequence depends only on this one's seed and `salt`. */
  fork(salt: number): Prng {
    return new Prng(Math.imul((this.state ^ salt) >>> 0, 0x9e3779b1) ^ salt);
  }
}
