/**
 * Sent by a new lock holder's takeover probe (rule 10) to its predecessor's leader probe: the
 * predecessor's "not acting" answer to such a request is a promise it keeps (term/acting-term.ts), while
 * the same route asked by a proxy records nothing. The value is informative only (who asks).
 */
export const TAKEOVER_PROBE = 'x-a4c-takeover-probe';
