import { expect } from '@jest/globals';
import { FakeClock } from './fake-clock.js';
import { makeInstance, PeerNetwork, type TestInstance } from './election-harness.js';
import { InMemoryConsul } from './in-memory-consul.js';
import { PartitionableConsul } from './partitionable-consul.js';

/** A test instance with its own link to the shared in-memory Consul (cut off or hung per instance). */
export interface LinkedNode extends TestInstance {
  link: PartitionableConsul;
}

/**
 * One world of linked nodes: a fake clock, an in-memory Consul, a peer network, and `node(name)`, which
 * makes an instance with its own link to that Consul and records it in `started` (for stopAll).
 */
export function linkedWorld(started: LinkedNode[]): { clock: FakeClock; consul: InMemoryConsul; network: PeerNetwork; node: (name: string) => LinkedNode } {
  const clock = new FakeClock();
  const consul = new InMemoryConsul(clock);
  const network = new PeerNetwork();
  const node = (name: string): LinkedNode => {
    const link = new PartitionableConsul(consul);
    const n = { ...makeInstance(consul, clock, name, {}, network, link), link };
    started.push(n);
    return n;
  };
  return { clock, consul, network, node };
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
