import { Body, Controller, HttpException, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { parseFailsafeRequest } from '../failsafe/failsafe-request.js';
import { HaService } from '../ha.service.js';
import { AdminTokenGuard } from './admin-token.guard.js';

/**
 * `POST /rest/admin/ha/failsafe` (docs/architecture.md §3, rule 13): a leader that Consul does not
 * answer asks this instance to confirm. Between instances only: admin token, and the proxy samples refuse
 * admin mutations from outside. 200 `{instanceId, confirmed: true, until}` is a promise not to act before
 * `until`; 409 `{instanceId, confirmed: false, reason}` a refusal; 400 a malformed body.
 */
@Controller('rest/admin/ha')
export class HaFailsafeController {
  constructor(private readonly ha: HaService) {}

  @Post('failsafe')
  @UseGuards(AdminTokenGuard)
  async confirm(@Body() body: unknown, @Res() response: Response): Promise<void> {
    const request = parseFailsafeRequest(body);
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
