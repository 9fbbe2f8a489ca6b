/** What one step of the election loop saw; the pure decide() turns it into the next state. */
export type Observation =
  | { type: 'shutdown' }
  | { type: 'step-down' }
  | { type: 'consul-unavailable'; detail: string }
  | { type: 'unhealthy'; detail: string }
  | { type: 'check-not-passing'; detail: string }
  | { type: 'session-created'; sessionId: string }
  | { type: 'session-gone' }
  | { type: 'acquired'; term: number }
  /** Acquire answered false: `holder` null means the key is free, so lock-delay refused us. */
  | { type: 'refused'; holder: string | null }
  /** A read of the leader key: who holds it now (null: nobody). */
  | { type: 'key'; holder: string | null }
  | { type: 'renewed' }
  | { type: 'lease-expired' }
  | { type: 'activated' }
  | { type: 'activation-failed'; detail: string }
  | { type: 'deactivated' };
