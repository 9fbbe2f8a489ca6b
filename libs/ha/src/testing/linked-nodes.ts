import { expect } from '@jest/globals';
import type { FakeClock } from './fake-clock.js';
import type { TestInstance } from './election-harness.js';
import type { PartitionableConsul } from './partitionable-consul.js';

/** A test instance with its own link to the shared in-memory Consul (cut off or hung per instance). */
export interface LinkedNode extends TestInstance {
  link: PartitionableConsul;
}

/** Who acts now, by the id each one advertises: the one answer every reader asks (the term). */
export const actingIds = (nodes: readonly LinkedNode[]): string[] => nodes.filter((n) => n.term.mayAct()).map((n) => n.elector.leader?.id ?? '?');

/**
 * Moves time in small steps, checking after each that at most one instance acts (docs/architecture.md,
 * rules 9, 10 and 13); returns who acted, step by step.
 */
export async function advanceWatching(clock: FakeClock, ms: number, nodes: readonly LinkedNode[], stepMs = 50): Promise<string[][]> {
  const seen: string[][] = [];
  for (let t = 0; t < ms; t += stepMs) {
    await clock.advance(stepMs);
    const now = actingIds(nodes);
    expect(now.length).toBeLessThanOrEqual(1);
    seen.push(now);
  }
  return seen;
}

/** Heals every link and stops every elector (the test's afterEach). */
export async function stopAll(clock: FakeClock, nodes: LinkedNode[]): Promise<void> {
  for (const n of nodes.splice(0)) {
    n.link.cut = false;
    n.link.hanging.clear();
    const stopping = n.elector.stop();
    await clock.advance(0);
    await stopping;
  }
}
