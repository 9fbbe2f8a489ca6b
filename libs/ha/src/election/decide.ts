import { assertNever, type ElectionState } from './election-state.js';
import type { Observation } from './observation.js';

/** Side effects that must follow a decision, performed by the loop in this order. */
export type CleanupAction = 'release' | 'destroy-session' | 'deregister';

export interface Decision {
  next: ElectionState;
  actions: CleanupAction[];
  /** One readable sentence: the log line and what tests assert (Patroni style). */
  reason: string;
  /** Pause before the next step, in ms (0: go on at once). */
  waitMs: number;
  /** Routine news (a renewal, a confirmation): not worth a log line. */
  quiet?: boolean;
}

/** The timings decide() needs, all in ms (see config/ha-timings.ts for why each value). */
export interface DecideTimings {
  retryDelayMs: number;
  healthPollMs: number;
  lockDelayRetryMs: number;
  stepDownHoldOffMs: number;
}

const stay = (state: ElectionState, reason: string, waitMs = 0): Decision => ({ next: state, actions: [], reason, waitMs });
const routine = (state: ElectionState, reason: string): Decision => ({ ...stay(state, reason), quiet: true });

/**
 * The pure heart of the elector: (state, observation, now) -> (next state, actions, reason). Every safety
 * rule of DESIGN.md §2 that is a decision lives here; the loop only gathers observations and acts.
 */
export function decide(state: ElectionState, observation: Observation, now: number, timings: DecideTimings): Decision {
  switch (state.kind) {
    case 'backup':
      return decideInBackup(state, observation, timings);
    case 'acquiring':
      return decideWhileAcquiring(state, observation, now, timings);
    case 'activating':
    case 'leader':
      return decideWhileHolding(state, observation, now, timings);
    case 'deactivating':
      return decideWhileDeactivating(state, observation);
    case 'stopped':
      return routine(state, 'stopped');
    default:
      return assertNever(state);
  }
}

function decideInBackup(state: ElectionState, o: Observation, t: DecideTimings): Decision {
  switch (o.type) {
    case 'shutdown':
      return { next: { kind: 'stopped' }, actions: ['deregister'], reason: 'shutdown requested', waitMs: 0 };
    case 'consul-unavailable': // rule 6: stay up as a backup and retry later, never crash-loop
      return stay(state, `consul unavailable, retrying in ${t.retryDelayMs} ms: ${o.detail}`, t.retryDelayMs);
    case 'unhealthy': // rule 8: never race for the lock while our own health is down
      return stay(state, `not racing for the lock: ${o.detail}`, t.healthPollMs);
    case 'check-not-passing':
      return stay(state, `waiting for the consul check to pass: ${o.detail}`, t.healthPollMs);
    case 'session-created':
      return { next: { kind: 'acquiring', sessionId: o.sessionId }, actions: [], reason: `session ${o.sessionId} created`, waitMs: 0 };
    default:
      return routine(state, `ignored ${o.type} in backup`);
  }
}

function decideWhileAcquiring(state: Extract<ElectionState, { kind: 'acquiring' }>, o: Observation, now: number, t: DecideTimings): Decision {
  const backup: ElectionState = { kind: 'backup' };
  switch (o.type) {
    case 'shutdown':
      return { next: { kind: 'stopped' }, actions: ['destroy-session', 'deregister'], reason: 'shutdown requested', waitMs: 0 };
    case 'acquired':
      return {
        next: { kind: 'activating', sessionId: state.sessionId, term: o.term, since: now },
        actions: [],
        reason: `lock acquired (term ${o.term}): activating the full graph`,
        waitMs: 0,
      };
    case 'refused':
      return o.holder
        ? stay(state, `lock held by session ${o.holder}: watching the key`)
        : // rule 5: lock-delay gives no event when it ends, so retry on a timer rather than a blocking read
          stay(state, `acquire refused on a free key (lock-delay): retrying in ${t.lockDelayRetryMs} ms`, t.lockDelayRetryMs);
    case 'key':
      return stay(state, o.holder ? `lock held by session ${o.holder}: watching the key` : 'lock is free: trying to acquire');
    case 'renewed':
      return routine(state, 'session renewed');
    case 'session-gone':
      return { next: backup, actions: [], reason: `session ${state.sessionId} invalidated by consul`, waitMs: 0 };
    case 'unhealthy':
      return { next: backup, actions: ['destroy-session'], reason: `leaving the race: ${o.detail}`, waitMs: t.healthPollMs };
    case 'consul-unavailable':
    case 'lease-expired':
      return {
        next: backup,
        actions: ['destroy-session'],
        reason: `consul unavailable, retrying in ${t.retryDelayMs} ms: ${'detail' in o ? o.detail : 'lease expired'}`,
        waitMs: t.retryDelayMs,
      };
    default:
      return routine(state, `ignored ${o.type} while acquiring`);
  }
}

function decideWhileHolding(
  state: Extract<ElectionState, { kind: 'activating' | 'leader' }>,
  o: Observation,
  _now: number,
  t: DecideTimings,
): Decision {
  const demote = (reason: string, holdOffMs: number, then: 'backup' | 'stopped' = 'backup'): Decision => ({
    next: { kind: 'deactivating', sessionId: state.sessionId, term: state.term, then, holdOffMs },
    actions: [],
    reason,
    waitMs: 0,
  });
  switch (o.type) {
    case 'activated':
      return state.kind === 'activating'
        ? { next: { ...state, kind: 'leader' }, actions: [], reason: `full graph up: leading term ${state.term}`, waitMs: 0 }
        : routine(state, 'already leading');
    case 'activation-failed': // rule 3: release, back off, let another instance try
      return demote(`activation failed: ${o.detail}`, t.retryDelayMs);
    case 'key': // rule 1: any sign that the key is not ours ends the term at once
      return o.holder === state.sessionId
        ? routine(state, 'lock still ours')
        : demote(o.holder ? `demoting: lock held by session ${o.holder}` : 'demoting: lock is no longer ours', 0);
    case 'session-gone':
      return demote(`demoting: session ${state.sessionId} invalidated by consul`, 0);
    case 'lease-expired': // rule 2: self-fence before consul could give the lock to someone else
      return demote('demoting: lock not confirmed within the renew deadline', t.retryDelayMs);
    case 'step-down':
      return demote('stepping down on request', t.stepDownHoldOffMs);
    case 'shutdown':
      return demote('shutdown requested', 0, 'stopped');
    case 'renewed':
      return routine(state, 'session renewed');
    case 'consul-unavailable': // the renew deadline, not a single error, decides when to give up
      return stay(state, `consul error while holding the lock (deadline still ahead): ${o.detail}`);
    default:
      return routine(state, `ignored ${o.type} while ${state.kind}`);
  }
}

function decideWhileDeactivating(state: Extract<ElectionState, { kind: 'deactivating' }>, o: Observation): Decision {
  switch (o.type) {
    case 'deactivated': {
      // rule 4: the full graph is closed first, only then is the lock released and the session destroyed
      const cleanup: Decision['actions'] = state.sessionId ? ['release', 'destroy-session'] : [];
      return state.then === 'stopped'
        ? { next: { kind: 'stopped' }, actions: [...cleanup, 'deregister'], reason: 'full graph closed: shutting down', waitMs: 0 }
        : { next: { kind: 'backup' }, actions: cleanup, reason: `full graph closed: back to backup`, waitMs: state.holdOffMs };
    }
    case 'shutdown':
      return stay({ ...state, then: 'stopped' }, 'shutdown requested while deactivating');
    default:
      return routine(state, `ignored ${o.type} while deactivating`);
  }
}
