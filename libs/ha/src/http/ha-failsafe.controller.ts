import { Controller, HttpException, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Clock } from '../clock/clock.port.js';
import type { Elector } from '../election/elector.js';
import type { ElectorFailsafe } from '../failsafe/elector-failsafe.js';
import { HA_FAILSAFE } from '../failsafe/failsafe-providers.js';
import { parseFailsafeRequest } from '../failsafe/failsafe-request.js';
import { HA_CLOCK, HA_ELECTOR, HA_SETTINGS } from '../ha-providers.js';
import type { HaSettings } from '../ha-runtime.js';
import { HaMetrics } from '../metrics/ha-metrics.js';
import { ActingTerm } from '../term/acting-term.js';
import { AdminTokenGuard } from './admin-token.guard.js';

/** A round's body is four short fields: anything longer is not one. */
const MAX_BODY_BYTES = 4096;

/**
 * `POST /rest/admin/ha/failsafe` (docs/architecture.md §3, rule 13): a leader that Consul does not
 * answer asks this instance to confirm. Between instances only: admin token, and the proxy samples refuse
 * admin mutations from outside. 200 `{instanceId, confirmed: true, until}` is a promise not to act before
 * `until`; 409 `{instanceId, confirmed: false, reason}` a refusal; 400 a malformed body. The parent parses
 * no bodies (they are the full graph's), so this route reads its own.
 */
@Controller('rest/admin/ha')
export class HaFailsafeController {
  constructor(
    @Inject(HA_SETTINGS) private readonly settings: HaSettings,
    @Inject(HA_CLOCK) private readonly clock: Clock,
    @Inject(HA_ELECTOR) private readonly elector: Elector | null,
    @Inject(HA_FAILSAFE) private readonly failsafe: ElectorFailsafe | null,
    private readonly term: ActingTerm,
    private readonly metrics: HaMetrics,
  ) {}

  @Post('failsafe')
  @UseGuards(AdminTokenGuard)
  async confirm(@Req() incoming: Request, @Res() response: Response): Promise<void> {
    const request = parseFailsafeRequest(await readJson(incoming));
    if (typeof request === 'string') throw new HttpException({ statusCode: 400, message: request }, 400);
    const instanceId = this.settings.identity.instanceId;
    const { elector, failsafe, term } = this;
    if (!elector || !failsafe) {
      response.status(409).json({ instanceId, confirmed: false, reason: 'failsafe is off on this instance (ha.failsafe: false, or no ha.adminToken)' });
      return;
    }
    const answer = await failsafe.member.confirm(request, () => ({ holdsLock: elector.holdsOrReleasesLock(), acting: term.mayAct() }));
    this.metrics.recordFailsafeAnswer(answer.confirmed);
    if (!answer.confirmed) {
      response.status(409).json({ instanceId, confirmed: false, reason: answer.reason });
      return;
    }
    const until = this.clock.wallNow() + (answer.promisedUntil - this.clock.now());
    response.status(200).json({ instanceId, confirmed: true, until: new Date(until).toISOString() });
  }
}

/** The body as JSON; undefined when it is not JSON or too long (the parser then says what is expected). */
async function readJson(request: Request): Promise<unknown> {
  if (request.body !== undefined) return request.body as unknown; // a host that parses bodies already did
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
