import type { Member } from '../election/leader-value.js';

/** The body of `POST /rest/admin/ha/failsafe` (docs/architecture.md §3, rule 13): who asks, for which term. */
export interface FailsafeRequest {
  leaderId: string;
  sessionId: string;
  term: number;
  epoch: number;
}

/** A member's answer: confirmed (it promises not to act for a while) or refused, with the reason. */
export type FailsafeVerdict = { confirmed: true } | { confirmed: false; reason: string };

/** Sends one member the leader's request (HTTP between instances, an in-memory network in tests). */
export interface FailsafeRoundPort {
  ask(member: Member, request: FailsafeRequest, signal: AbortSignal): Promise<FailsafeVerdict>;
}

/** The request body as sent, or a reason why it is not one (a 400). */
export function parseFailsafeRequest(body: unknown): FailsafeRequest | string {
  if (typeof body !== 'object' || body === null) return 'expected a JSON object {leaderId, sessionId, term, epoch}';
  const { leaderId, sessionId, term, epoch } = body as Record<string, unknown>;
  if (typeof leaderId !== 'string' || leaderId === '') return 'leaderId: expected a non-empty string';
  if (typeof sessionId !== 'string' || sessionId === '') return 'sessionId: expected a non-empty string';
  if (typeof term !== 'number' || !Number.isInteger(term) || term < 1) return 'term: expected a positive integer (the lock index)';
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) return 'epoch: expected an integer >= 0';
  return { leaderId, sessionId, term, epoch };
}
