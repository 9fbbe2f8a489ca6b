/**
 * The plugin's fixed values that are not configuration keys, in one place with the reason for each
 * (docs/architecture.md §7, convention 7; the configurable defaults are in ha-defaults.ts, the timings
 * derived from them in ha-timings.ts). All durations in milliseconds.
 */
const values = {
  // Rule 10's probe of a predecessor: a live process on a live host answers in milliseconds; a frozen
  // one never does, and waiting longer than a second only delays the lease wait that decides then.
  peerProbeTimeoutMs: 1000,
  // Rule 10: how often a new holder asks its predecessor again whether it still acts: a few times per
  // HAProxy probe period, cheap for the one instance asked.
  takeoverProbeIntervalMs: 200,
  // Rule 8's mirror: the leader's own indicators must fail this many polls in a row before it hands the
  // lock back, so that one slow answer is not a failover.
  healthFailuresBeforeDown: 2,
  // Rule 8: the instance looks at its own health at least this often (or each check period if shorter),
  // so a leader notices its own failure about as fast as Consul's check would.
  healthPollMaxMs: 1000,
  // Rule 5: with lock-delay 0 configured, a refusal on a free key comes from a peer's (unknown) delay;
  // one second between attempts is enough to win soon after it ends without hammering the agent.
  lockDelayRetryWithoutDelayMs: 1000,
  // Request bodies up to 1 MiB are kept so that a request refused by a non-acting leader can be sent again
  // (docs/operations.md); larger uploads are answered 503 instead of buffered in memory.
  retryBufferBytes: 1024 * 1024,
  // Connecting to a live instance takes milliseconds; a leader that does not accept in 2 s gets nothing.
  forwardConnectTimeoutMs: 2000,
  // A held request looks again this often when nothing was announced (a lease proven, a refused leader
  // back); a change of leader or state wakes it at once anyway.
  forwardRecheckMs: 100,
  // After each refusal in a row the next look waits twice as long, up to this: hundreds of held requests
  // retrying a dead or not-acting leader every 100 ms would load the very instances taking over.
  forwardMaxRecheckMs: 400,
  // How often the leader key is read while requests are held on an instance that does not hold the lock
  // (and has no watch on it): the same pace as the takeover probe.
  keyPollMs: 200,
  // Shutdown: how long a released instance keeps listening so that others stop sending to it (two HAProxy
  // probe periods of the shipped sample).
  moveAwayMs: 1000,
  // Shutdown, after the listener closed: how long requests that arrived just before may take to be
  // handed over.
  lastArrivalsMs: 2000,
  // A cluster-view member or a step-down candidate must answer its status route within a second: a
  // hung member must not stall the view, and a candidate must be responsive to take over.
  memberStatusTimeoutMs: 1000,
  // A backup's blocking read of the key never waits less than this, even right before its session's
  // next renew: a shorter wait would turn the watch into a busy poll of the agent.
  minBlockingWaitMs: 1000,
};

export const INTERNAL_DEFAULTS: Readonly<Record<keyof typeof values, number>> = Object.freeze(values);
