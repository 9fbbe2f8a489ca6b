import type { Member } from '../election/leader-value.js';
import type { FailsafeRequest, FailsafeRoundPort, FailsafeVerdict } from './failsafe-request.js';

/**
 * Asks one member over HTTP: `POST <url>/rest/admin/ha/failsafe` with the admin token (docs/architecture.md
 * §3, rule 13). Only a 200 in which the member names itself and says `confirmed: true` counts; a 409 gives
 * its reason; anything else (timeout, refused, another instance at that address) is a failure.
 */
export class HttpFailsafeRound implements FailsafeRoundPort {
  constructor(private readonly options: { adminToken: string; fetchImpl?: typeof fetch }) {}

  async ask(member: Member, request: FailsafeRequest, signal: AbortSignal): Promise<FailsafeVerdict> {
    try {
      const response = await (this.options.fetchImpl ?? fetch)(new URL('/rest/admin/ha/failsafe', member.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.adminToken}`, 'user-agent': 'a4c-ha failsafe round' },
        body: JSON.stringify(request),
        signal,
      });
      const body = (await response.json().catch(() => ({}))) as { instanceId?: unknown; confirmed?: unknown; reason?: unknown; message?: unknown };
      if (body.instanceId !== undefined && body.instanceId !== member.id) return { confirmed: false, reason: `${member.url} answers as ${String(body.instanceId)}` };
      if (response.status === 200 && body.confirmed === true && body.instanceId === member.id) return { confirmed: true };
      const why = typeof body.reason === 'string' ? body.reason : typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
      return { confirmed: false, reason: why };
    } catch (error) {
      return { confirmed: false, reason: signal.aborted ? 'no answer in time' : ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message };
    }
  }
}
