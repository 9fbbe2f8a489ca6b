import { assertNever, type ElectionState, type Takeover } from './election-state.js';
import { freshLease, leaseDueAt, leaseValid, onFailsafe, renewDeadlineAt, withFailsafeRound, withProof, withRenewal, type LeaseTimings } from './lease.js';
import { INTERNAL_DEFAULTS } from '../config/internal-defaults.js';
import { healthPollMsOf } from '../config/ha-timings.js';
import type { Observation } from './observation.js';
import type { ElectorTimings } from './ports.js';
import type { Predecessor } from './predecessor.js';

/**
 * Side effects that must follow a decision, performed by the loop in this order. `prove-now`: the lease
 * keeper sends a `?consistent` read at once (a leader that may not act until it proves again).
 * `destroy-stale-session` names a session other than the current one: an earlier session of this
 * instance (rule 14).
 */
export type Action = 'release' | 'destroy-session' | 'deregister' | 'prove-now' | 'register-again' | { type: 'destroy-stale-session'; sessionId: string };

export interface Decision {
  next: ElectionState;
  actions: Action[];
  /** One readable sentence: the log line and what tests assert (Patroni style). */
  reason: string;
  /** Pause before the next step, in ms (0: go on at once). */
  waitMs: number;
  /** Routine news (a renewal, a confirmation): not worth a log line. */
  quiet?: boolean;
}

/** The timings decide() needs, all in ms (see config/ha-timings.ts for why each value). */
export interface DecideTimings extends LeaseTimings {
  retryDelayMs: number;
  /** How often the session is renewed while acquiring (the TTL runs from the last renew). */
  renewIntervalMs: number;
  /** How long the others stand back after a hand-over to a chosen candidate. */
  handoverWindowMs: number;
  healthPollMs: number;
  lockDelayRetryMs: number;
  stepDownHoldOffMs: number;
  activationTimeoutMs: number;
  /** Added to the lease before a takeover is safe by time alone: clock rates and request times. */
  takeoverMarginMs: number;
  /** Rule 13: the longest a leader acts on failsafe rounds in a row (0 or absent: failsafe off). */
  failsafeMaxMs?: number;
}

/** decide()'s timings, derived from the plugin's (never a copy of their values). */
export function decideTimingsOf(t: ElectorTimings): DecideTimings {
  return {
    retryDelayMs: t.retryDelayMs,
    renewIntervalMs: t.renewIntervalMs,
    handoverWindowMs: t.handoverWindowMs,
    healthPollMs: healthPollMsOf(t.healthCheckIntervalMs),
    // rule 5: the delay that refused us is the configured one; with 0 configured, a peer's may differ
    lockDelayRetryMs: t.lockDelayMs > 0 ? t.lockDelayMs : INTERNAL_DEFAULTS.lockDelayRetryWithoutDelayMs,
    stepDownHoldOffMs: t.stepDownHoldOffMs,
    activationTimeoutMs: t.activationTimeoutMs,
    leaseMs: t.leaseMs,
    renewDeadlineMs: t.renewDeadlineMs,
    takeoverMarginMs: t.takeoverMarginMs,
  };
}

type Holding = Extract<ElectionState, { kind: 'activating' | 'leader' }>;
type Acquiring = Extract<ElectionState, { kind: 'acquiring' }>;

/** While acquiring, what the loop does next: renew the session when due, else race until the renew is due. */
export function nextRaceStep(state: Acquiring, now: number, t: DecideTimings): { renew: true } | { renew: false; untilRenewMs: number } {
  const dueAt = state.renewedAt + t.renewIntervalMs;
  return now >= dueAt ? { renew: true } : { renew: false, untilRenewMs: dueAt - now };
}

const stay = (state: ElectionState, reason: string, waitMs = 0): Decision => ({ next: state, actions: [], reason, waitMs });
const routine = (state: ElectionState, reason: string): Decision => ({ ...stay(state, reason), quiet: true });

/**
 * The pure heart of the elector: (state, observation, now) -> (next state, actions, reason). Every safety
 * rule of docs/architecture.md that is a decision lives here, judged against the observed monotonic
 * `now`; the loop only gathers observations and acts.
 */
export function decide(state: ElectionState, observation: Observation, now: number, timings: DecideTimings): Decision {
  // rule 14: news for the log and the history, in whatever state it arrives (the freed key may already
  // have been won); the next step follows at once, so no deadline waits on it
  if (observation.type === 'freed-by-peer') return stay(state, observation.detail);
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

/** The next moment at which time alone changes a decision: the loop must look again by then. */
export function nextDueAt(state: ElectionState, t: DecideTimings): number | null {
  if (state.kind !== 'activating' && state.kind !== 'leader') return null;
  const due = [renewDeadlineAt(state.lease, t)];
  if (!state.lease.lapsed) due.push(leaseDueAt(state.lease, t));
  if (state.kind === 'activating') {
    if (!state.graphUp) due.push(state.startedAt + t.activationTimeoutMs);
    if (!state.takeover.safe) due.push(state.takeover.safeAt);
  }
  return Math.min(...due);
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
    case 'check-missing':
      return { ...stay(state, `waiting for the consul check to pass: ${o.checkId} is not registered with the agent: registering again`, t.healthPollMs), actions: ['register-again'] };
    case 'session-created':
      return { next: { kind: 'acquiring', sessionId: o.sessionId, renewedAt: o.sentAt }, actions: [], reason: `session ${o.sessionId} created`, waitMs: 0 };
    default:
      return routine(state, `ignored ${o.type} in backup`);
  }
}

function decideWhileAcquiring(state: Acquiring, o: Observation, now: number, t: DecideTimings): Decision {
  const backup: ElectionState = { kind: 'backup' };
  switch (o.type) {
    case 'shutdown':
      return { next: { kind: 'stopped' }, actions: ['destroy-session', 'deregister'], reason: 'shutdown requested', waitMs: 0 };
    case 'acquired': {
      const takeover = takeoverFor(o.predecessor, o.freeSeenAt, t);
      return {
        next: {
          kind: 'activating',
          sessionId: state.sessionId,
          term: o.term,
          since: o.since,
          startedAt: now,
          // the TTL runs from the session's last create or renew, not from the acquire
          lease: freshLease(Math.min(state.renewedAt, o.sentAt), o.sentAt),
          graphUp: false,
          takeover,
        },
        actions: [],
        reason: `lock acquired (term ${o.term}): activating the full graph; ${takeover.reason}`,
        waitMs: 0,
      };
    }
    case 'refused':
      return o.holder
        ? stay(state, `lock held by session ${o.holder}: watching the key`)
        : // rule 5: lock-delay gives no event when it ends, so retry on a timer rather than a blocking read
          stay(state, `acquire refused on a free key (lock-delay): retrying in ${t.lockDelayRetryMs} ms`, t.lockDelayRetryMs);
    case 'released-for-candidate':
      return standBack(state, o.candidate, o.modifyIndex, now, t);
    case 'not-listed':
      return stay(state, `the key was freed without release by ${o.leaderId}, whose members do not list this instance: out of the race until its failsafe and lease are over (rule 13)`, o.waitMs);
    case 'key':
      return stay(state, o.holder ? `lock held by session ${o.holder}: watching the key` : 'lock is free: trying to acquire');
    case 'stale-own-session': // rule 14: this instance is that session's holder, so that holder is gone
      return {
        next: state,
        actions: [{ type: 'destroy-stale-session', sessionId: o.holder }],
        reason: `lock held by session ${o.holder}, an earlier session of this instance (a previous process or an ended term): destroying it`,
        waitMs: 0,
      };
    case 'renewed':
      return routine({ ...state, renewedAt: Math.max(state.renewedAt, o.sentAt) }, 'session renewed');
    case 'session-gone':
      return { next: backup, actions: [], reason: `session ${state.sessionId} invalidated by consul`, waitMs: 0 };
    case 'unhealthy':
      return { next: backup, actions: ['destroy-session'], reason: `leaving the race: ${o.detail}`, waitMs: t.healthPollMs };
    case 'consul-unavailable':
      return {
        next: backup,
        actions: ['destroy-session'],
        reason: `consul unavailable, retrying in ${t.retryDelayMs} ms: ${o.detail}`,
        waitMs: t.retryDelayMs,
      };
    default:
      return routine(state, `ignored ${o.type} while acquiring`);
  }
}

/** A hand-over to another instance: it gets the first try for handoverWindowMs, counted from our first sight of that release. */
function standBack(state: Acquiring, candidate: string, modifyIndex: number, now: number, t: DecideTimings): Decision {
  const seen = state.standBack?.modifyIndex === modifyIndex ? state.standBack : { candidate, modifyIndex, until: now + t.handoverWindowMs, over: false };
  if (now < seen.until) {
    const waitMs = seen.until - now;
    return stay({ ...state, standBack: seen }, `lock released for a hand-over to ${candidate}: standing back for ${waitMs} ms`, waitMs);
  }
  return stay({ ...state, standBack: { ...seen, over: true } }, `${candidate} did not take the lock within ${t.handoverWindowMs} ms: trying to acquire`);
}

/** Rule 10: when a new holder may act, given who held the lock before it. */
function takeoverFor(predecessor: Predecessor, freeSeenAt: number, t: DecideTimings): Takeover {
  const safeAt = freeSeenAt + t.leaseMs + t.takeoverMarginMs;
  switch (predecessor.kind) {
    case 'none':
      return { safe: true, reason: predecessor.reason, safeAt, peer: null };
    case 'peer':
      return {
        safe: false,
        reason: `waiting until ${predecessor.id} provably stopped acting (asking it; its lease is over in ${t.leaseMs + t.takeoverMarginMs} ms at the latest)`,
        safeAt,
        peer: { id: predecessor.id, url: predecessor.url },
      };
    case 'unknown':
      return predecessor.askAll
        ? { safe: false, reason: `${predecessor.reason}: asking every instance the catalog lists (or waiting out a possible holder's lease)`, safeAt, peer: null, askAll: true }
        : { safe: false, reason: `${predecessor.reason}: waiting out a possible holder's lease`, safeAt, peer: null };
    default:
      return assertNever(predecessor);
  }
}

function decideWhileHolding(state: Holding, o: Observation, now: number, t: DecideTimings): Decision {
  const demote = (reason: string, holdOffMs: number, then: 'backup' | 'stopped' = 'backup', candidate?: string): Decision => ({
    next: { kind: 'deactivating', sessionId: state.sessionId, term: state.term, then, holdOffMs, ...(candidate ? { candidate } : {}) },
    actions: [],
    reason,
    waitMs: 0,
  });
  // rule 2 first, whatever was observed: past the renew deadline the lock may be someone else's
  if (now >= renewDeadlineAt(state.lease, t) && o.type !== 'shutdown') {
    return demote(`demoting: lock not renewed within the renew deadline (${t.renewDeadlineMs} ms)`, t.retryDelayMs);
  }
  switch (o.type) {
    case 'activated':
      return promoteIfReady(state.kind === 'activating' ? { ...state, graphUp: true } : state, now, t, 'full graph up');
    case 'activation-failed': // rule 3: release, back off, let another instance try
      return demote(`activation failed: ${o.detail}`, t.retryDelayMs);
    case 'key': // rule 1: any sign that the key is not ours ends the holding at once
      return o.holder === state.sessionId
        ? routine(state, 'lock still ours')
        : demote(o.holder ? `demoting: lock held by session ${o.holder}` : 'demoting: lock is no longer ours', 0);
    case 'session-gone':
      return demote(`demoting: session ${state.sessionId} invalidated by consul`, 0);
    case 'unhealthy': // rule 8's mirror: stop at once and hand the lock back, without waiting for Consul's check
      return demote(`demoting: own health is down (${o.detail})`, t.healthPollMs);
    case 'step-down':
      return demote(o.candidate ? `stepping down on request, handing over to ${o.candidate}` : 'stepping down on request', t.stepDownHoldOffMs, 'backup', o.candidate);
    case 'shutdown':
      return demote('shutdown requested', 0, 'stopped');
    case 'renewed':
      return { ...routine({ ...state, lease: withRenewal(state.lease, o.sentAt) }, 'session renewed') };
    case 'proven':
      return onProof(state, o.sentAt, now, t);
    case 'failsafe-confirmed':
      return onFailsafeRound(state, o.sentAt, o.members, now, t);
    case 'failsafe-refused':
      return onFailsafe(state.lease, now, t)
        ? stay(state, `failsafe round refused: ${o.detail}; acting until the last confirmed round's lease runs out unless a later round is confirmed first`)
        : stay(state, `failsafe round refused: ${o.detail}; acting until the lease runs out unless proven again or a later round is confirmed first`);
    case 'promised-not-acting': // rule 10: only a proof sent after the promise lets us act, so prove now
      return state.lease.provenAt <= o.at ? { ...routine(state, 'promised a peer not to act: proving again'), actions: ['prove-now'] } : routine(state, 'promised a peer not to act');
    case 'predecessor-stopped':
      return state.kind === 'activating' && !state.takeover.safe
        ? promoteIfReady({ ...state, takeover: { ...state.takeover, safe: true, reason: o.detail } }, now, t, `takeover safe: ${o.detail}`)
        : routine(state, `ignored predecessor news while ${state.kind}`);
    case 'tick':
      return onTick(state, now, t);
    case 'consul-unavailable': // the lease and the renew deadline, not a single error, decide
      return stay(state, `consul error while holding the lock (deadline still ahead): ${o.detail}`);
    default:
      return routine(state, `ignored ${o.type} while ${state.kind}`);
  }
}

function onProof(state: Holding, sentAt: number, now: number, t: DecideTimings): Decision {
  const lease = withProof(state.lease, sentAt);
  if (state.kind === 'leader' && state.lease.lapsed && leaseValid(lease, now, t)) {
    return stay({ ...state, lease }, 'ownership proven again: acting'); // rule 9: no new election needed
  }
  return routine({ ...state, lease }, 'ownership proven');
}

/** Rule 13: a round every listed member confirmed extends acting; it never revives a lapsed lease. */
function onFailsafeRound(state: Holding, sentAt: number, members: number, now: number, t: DecideTimings): Decision {
  const failsafeMaxMs = t.failsafeMaxMs ?? 0;
  if (state.kind !== 'leader' || failsafeMaxMs <= 0 || !leaseValid(state.lease, now, t)) return routine(state, 'failsafe round too late: the lease has lapsed');
  const lease = withFailsafeRound(state.lease, sentAt, { leaseMs: t.leaseMs, failsafeMaxMs });
  const news = `failsafe: ${members} member(s) confirmed; acting without consul until ${Math.max(0, Math.round(leaseDueAt(lease, t) - now))} ms from now unless proven or confirmed again`;
  return onFailsafe(state.lease, now, t) ? routine({ ...state, lease }, news) : stay({ ...state, lease }, news);
}

function onTick(state: Holding, now: number, t: DecideTimings): Decision {
  if (state.kind === 'activating') {
    if (!state.graphUp && now >= state.startedAt + t.activationTimeoutMs) {
      return {
        next: { kind: 'deactivating', sessionId: state.sessionId, term: state.term, then: 'backup', holdOffMs: t.retryDelayMs },
        actions: [],
        reason: `activation failed: timed out after ${t.activationTimeoutMs} ms`,
        waitMs: 0,
      };
    }
    if (!state.takeover.safe && now >= state.takeover.safeAt) {
      const takeover = { ...state.takeover, safe: true, reason: `the predecessor's lease is over (lease ${t.leaseMs} ms + margin ${t.takeoverMarginMs} ms since the key was seen free)` };
      return promoteIfReady({ ...state, takeover }, now, t, `takeover safe: ${takeover.reason}`);
    }
    return routine(state, 'activating');
  }
  if (!state.lease.lapsed && !leaseValid(state.lease, now, t)) {
    // rule 9: stop acting at once; keep proving, and resume without a new election when it works
    return {
      ...stay({ ...state, lease: { ...state.lease, lapsed: true } }, `lease lapsed: not acting until ownership is proven again (no proof for ${t.leaseMs} ms)`),
      actions: ['prove-now'],
    };
  }
  return routine(state, 'lock still ours');
}

/** activating -> leader once the graph is up AND the takeover is safe (rules 3 and 10). */
function promoteIfReady(state: Holding, now: number, t: DecideTimings, news: string): Decision {
  if (state.kind === 'leader') return routine(state, 'already leading');
  if (!state.graphUp || !state.takeover.safe) {
    const waiting = !state.graphUp ? 'waiting for the full graph' : state.takeover.reason;
    return stay(state, `${news}; ${waiting}`);
  }
  const { sessionId, term, since, lease } = state;
  const acting = leaseValid(lease, now, t);
  return {
    next: { kind: 'leader', sessionId, term, since, lease: acting ? lease : { ...lease, lapsed: true } },
    actions: acting ? [] : ['prove-now'], // a takeover that became safe late: a fresh proof lets it act
    reason: `${news}: leading term ${term}${acting ? '' : ' (not acting until ownership is proven again)'}`,
    waitMs: 0,
  };
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
