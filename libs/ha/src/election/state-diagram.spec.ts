import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { decide, type DecideTimings } from './decide.js';
import type { ElectionState } from './election-state.js';
import { freshLease } from './lease.js';
import type { Observation } from './observation.js';
import type { Predecessor } from './predecessor.js';

/**
 * The state diagram of docs/architecture.md ("The election states") against decide(): every transition
 * decide() can make between two different states is drawn, and nothing else is. The samples below are
 * keyed by every state kind and every observation type (the types make a new one impossible to forget),
 * and each is judged now and long after every deadline.
 */
const t: DecideTimings = {
  retryDelayMs: 20_000,
  renewIntervalMs: 15_000,
  handoverWindowMs: 3_000,
  healthPollMs: 1_000,
  lockDelayRetryMs: 1_000,
  stepDownHoldOffMs: 20_000,
  activationTimeoutMs: 60_000,
  leaseMs: 10_000,
  renewDeadlineMs: 45_000,
  takeoverMarginMs: 1_000,
};
const NOW = 1_000_000;
const LATER = NOW + 10 * 60_000;
const lease = freshLease(NOW, NOW);
const safe = { safe: true, reason: 'released', safeAt: NOW, peer: null };
const unsafe = { safe: false, reason: 'waiting', safeAt: NOW + 5_000, peer: { id: 'b', url: 'http://b' } };

const states: { [K in ElectionState['kind']]: Extract<ElectionState, { kind: K }>[] } = {
  backup: [{ kind: 'backup' }],
  acquiring: [{ kind: 'acquiring', sessionId: 's1', renewedAt: NOW }],
  activating: [true, false].flatMap((graphUp) =>
    [safe, unsafe].map((takeover) => ({ kind: 'activating' as const, sessionId: 's1', term: 2, since: 0, startedAt: NOW, lease, graphUp, takeover })),
  ),
  leader: [{ kind: 'leader', sessionId: 's1', term: 2, since: 0, lease }, { kind: 'leader', sessionId: 's1', term: 2, since: 0, lease: { ...lease, lapsed: true } }],
  deactivating: (['backup', 'stopped'] as const).map((then) => ({ kind: 'deactivating' as const, sessionId: 's1', term: 2, then, holdOffMs: 0 })),
  stopped: [{ kind: 'stopped' }],
};

const predecessors: Predecessor[] = [
  { kind: 'none', reason: 'released' },
  { kind: 'unknown', reason: 'absent', askAll: false },
  { kind: 'unknown', reason: 'absent', askAll: true },
  { kind: 'peer', id: 'b', url: 'http://b' },
];

const observations: { [K in Observation['type']]: Extract<Observation, { type: K }>[] } = {
  shutdown: [{ type: 'shutdown' }],
  'step-down': [{ type: 'step-down' }, { type: 'step-down', candidate: 'c' }],
  'consul-unavailable': [{ type: 'consul-unavailable', detail: 'x' }],
  unhealthy: [{ type: 'unhealthy', detail: 'x' }],
  'check-not-passing': [{ type: 'check-not-passing', detail: 'x' }],
  'check-missing': [{ type: 'check-missing', checkId: 'c' }],
  'session-created': [{ type: 'session-created', sessionId: 's1', sentAt: NOW }],
  'session-gone': [{ type: 'session-gone' }],
  acquired: predecessors.map((predecessor) => ({ type: 'acquired', term: 2, since: 0, sentAt: NOW, freeSeenAt: NOW, predecessor })),
  refused: [{ type: 'refused', holder: null }, { type: 'refused', holder: 's2' }],
  'released-for-candidate': [{ type: 'released-for-candidate', candidate: 'c', modifyIndex: 4 }],
  'stale-own-session': [{ type: 'stale-own-session', holder: 's0' }],
  'freed-by-peer': [{ type: 'freed-by-peer', detail: 'lock freed by b: a refuses connections at http://a' }],
  key: [{ type: 'key', holder: null }, { type: 'key', holder: 's1' }, { type: 'key', holder: 's2' }],
  renewed: [{ type: 'renewed', sentAt: NOW }],
  proven: [{ type: 'proven', sentAt: NOW }],
  'promised-not-acting': [{ type: 'promised-not-acting', at: NOW }],
  'not-listed': [{ type: 'not-listed', leaderId: 'b', waitMs: 1_000 }],
  'failsafe-confirmed': [{ type: 'failsafe-confirmed', sentAt: NOW, members: 2 }],
  'failsafe-refused': [{ type: 'failsafe-refused', detail: 'x' }],
  'predecessor-stopped': [{ type: 'predecessor-stopped', detail: 'x' }],
  tick: [{ type: 'tick' }],
  activated: [{ type: 'activated' }],
  'activation-failed': [{ type: 'activation-failed', detail: 'x' }],
  deactivated: [{ type: 'deactivated' }],
};

/** Every transition decide() makes between two different states, as "from --> to". */
function decidedTransitions(): string[] {
  const edges = new Set<string>();
  for (const state of Object.values(states).flat() as ElectionState[]) {
    for (const observation of Object.values(observations).flat() as Observation[]) {
      for (const now of [NOW, LATER]) {
        const next = decide(state, observation, now, t).next;
        if (next.kind !== state.kind) edges.add(`${state.kind} --> ${next.kind}`);
      }
    }
  }
  return [...edges].sort();
}

/** The transitions of the Mermaid stateDiagram in docs/architecture.md, as "from --> to". */
function drawnTransitions(): { edges: string[]; states: string[] } {
  const doc = readFileSync(new URL('../../../../docs/architecture.md', import.meta.url), 'utf8');
  const diagram = /```mermaid\n(stateDiagram-v2\n[\s\S]*?)```/.exec(doc)?.[1];
  if (!diagram) throw new Error('docs/architecture.md has no mermaid stateDiagram-v2 block');
  const edges = new Set<string>();
  const named = new Set<string>();
  for (const line of diagram.split('\n')) {
    const edge = /^\s*(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)\s*(?::.*)?$/.exec(line);
    if (!edge) continue;
    for (const end of [edge[1]!, edge[2]!]) if (end !== '[*]') named.add(end);
    if (edge[1] !== '[*]' && edge[2] !== '[*]') edges.add(`${edge[1]} --> ${edge[2]}`);
  }
  return { edges: [...edges].sort(), states: [...named].sort() };
}

describe('the state diagram of docs/architecture.md', () => {
  it('draws exactly the transitions decide() makes', () => {
    expect(drawnTransitions().edges).toEqual(decidedTransitions());
  });

  it('names exactly the election states', () => {
    expect(drawnTransitions().states).toEqual(Object.keys(states).sort());
  });
});
