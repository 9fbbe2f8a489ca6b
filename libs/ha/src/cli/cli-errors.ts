/** Exit codes a script can rely on. */
export const EXIT = {
  ok: 0,
  /** Consul or an instance could not be reached, a request was refused, a switchover did not complete. */
  failed: 1,
  /** Bad command line or configuration: fix the invocation, retrying will not help. */
  usage: 2,
  /** `leader`: no instance acts as leader right now. */
  noLeader: 3,
} as const;

/** A bad command line or configuration (exit 2); the message is one line per problem. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An operation that could not be done (exit 1, or the given code). */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}
