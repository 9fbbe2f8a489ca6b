/** Headers of the hold-and-forward contract (docs/architecture.md §3, "anything else"). */
export const FORWARDED_BY = 'x-a4c-forwarded-by';
/** On a forwarded request: how long (ms) the forwarder still waits, so the receiver holds it no longer. */
export const HOLD_BUDGET = 'x-a4c-hold-ms';

/** The instance whose full graph served the answer (or that answered 503 itself). */
export const SERVED_BY = 'x-a4c-served-by';
/** On a 503: this instance is not acting and did not process the request, so it may be sent elsewhere. */
export const NOT_ACTING = 'x-a4c-not-acting';

/** Hop-by-hop headers (RFC 9110 §7.6.1): never copied from one connection to the next. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
