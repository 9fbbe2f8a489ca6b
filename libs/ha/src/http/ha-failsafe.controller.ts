import { Controller, HttpException, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { parseFailsafeRequest } from '../failsafe/failsafe-request.js';
import { HaService } from '../ha.service.js';
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
  constructor(private readonly ha: HaService) {}

  @Post('failsafe')
  @UseGuards(AdminTokenGuard)
  async confirm(@Req() incoming: Request, @Res() response: Response): Promise<void> {
    const request = parseFailsafeRequest(await readJson(incoming));
    if (typeof request === 'string') throw new HttpException({ statusCode: 400, message: request }, 400);
    const instanceId = this.ha.instanceId;
    const answer = await this.ha.confirmFailsafe(request);
    if (!answer.confirmed) {
      response.status(409).json({ instanceId, confirmed: false, reason: answer.reason });
      return;
    }
    response.status(200).json({ instanceId, confirmed: true, until: new Date(this.ha.wallTimeOf(answer.promisedUntil)).toISOString() });
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
