/**
 * Typed Consul failures (docs/architecture.md §7, convention 5). They never escape an election step: the loop turns them into
 * observations. Classification follows docs/consul-behaviour.md §1.3: status code first, then substrings.
 */
export class ConsulUnavailableError extends Error {
  constructor(
    readonly operation: string,
    readonly detail: string,
    readonly statusCode?: number,
  ) {
    super(`consul ${operation} failed: ${detail}`);
    this.name = 'ConsulUnavailableError';
  }
}

/** Consul answered that our session does not exist any more (invalidated or destroyed). */
export class SessionInvalidatedError extends Error {
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} is no longer valid`);
    this.name = 'SessionInvalidatedError';
  }
}

/** Consul refused to create a session because a linked check is critical or not yet registered. */
export class SessionRefusedError extends Error {
  constructor(readonly detail: string) {
    super(`session refused: ${detail}`);
    this.name = 'SessionRefusedError';
  }
}

/** 403 from Consul: the token is unknown or lacks a right. Retrying will not help until fixed. */
export class ConsulAccessDeniedError extends Error {
  constructor(
    readonly operation: string,
    readonly detail: string,
  ) {
    super(`consul ${operation} denied: ${detail}`);
    this.name = 'ConsulAccessDeniedError';
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
