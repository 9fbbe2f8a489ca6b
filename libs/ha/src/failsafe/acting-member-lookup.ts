import type { Member } from '../election/leader-value.js';

/**
 * Which of the key's members says it acts as leader now (`GET <url>/rest/admin/ha`, `acting: true`,
 * naming itself), asked in parallel and bounded: how an instance that cannot reach Consul (a cut-off
 * ex-leader holding requests) learns the new leader from the members, who can (docs/architecture.md,
 * rule 13). Null when none says so in time.
 */
export async function findActingMember(members: readonly Member[], selfId: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<Member | null> {
  const others = members.filter((m) => m.id !== selfId && m.url);
  if (others.length === 0) return null;
  const asks = others.map(async (member) => {
    const response = await fetchImpl(new URL('/rest/admin/ha', member.url), { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json()) as { instanceId?: unknown; acting?: unknown };
    if (response.ok && body.acting === true && body.instanceId === member.id) return member;
    throw new Error(`${member.id} does not act`);
  });
  return Promise.any(asks).catch(() => null);
}
