import type { Prng } from './prng.js';
import type { Scheduler } from './scheduler.js';

/** One-way delay between two instances, in ms, before any fault adds to it. */
const BASE_HOP_MS = [1, 5] as const;

/**
 * The network between instances (the peer probe port, forwarded requests): a link per pair that can be
 * cut (messages vanish: the sender sees a timeout) or slowed (a delay added to every message).
 */
export class SimNetwork {
  private readonly cutLinks = new Set<string>();
  private readonly slowLinks = new Map<string, number>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly rng: Prng,
  ) {}

  cut(a: string, b: string): void {
    this.cutLinks.add(linkOf(a, b));
  }

  heal(a: string, b: string): void {
    this.cutLinks.delete(linkOf(a, b));
  }

  slow(a: string, b: string, extraMs: number): void {
    if (extraMs > 0) this.slowLinks.set(linkOf(a, b), extraMs);
    else this.slowLinks.delete(linkOf(a, b));
  }

  isCut(a: string, b: string): boolean {
    return this.cutLinks.has(linkOf(a, b));
  }

  /** Sends one message from `from` to `to`: `arrive` runs after the link's delay, or never when the link is cut. */
  send(from: string, to: string, arrive: () => void): void {
    if (from !== to && this.isCut(from, to)) return;
    const extra = this.slowLinks.get(linkOf(from, to)) ?? 0;
    this.scheduler.after(this.rng.int(BASE_HOP_MS[0], BASE_HOP_MS[1]) + this.rng.int(0, extra), () => {
      if (from === to || !this.isCut(from, to)) arrive();
    });
  }
}

function linkOf(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
