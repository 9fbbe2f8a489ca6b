import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HA_SETTINGS } from '../ha-providers.js';
import type { HaSettings } from '../ha-runtime.js';
import { hasAdminToken } from '../http/admin-token.js';
import { ActingTerm } from '../term/acting-term.js';
import { LEADER_WATCH_HOLD_MS, LEADER_WATCH_MAX_HELD } from './leader-watch.port.js';

/**
 * `GET /rest/admin/ha/watch`, an internal route between instances (docs/architecture.md §3, rule 14): the
 * lock holder keeps the request open and answers only when it stops holding the lock (or after its hold
 * bound), so a non-leader learns of the holder's crash from the connection breaking. It reveals nothing
 * the leader probe does not; with `ha.adminToken` set, it needs that token, like every admin route
 * between instances.
 */
@Controller('rest/admin/ha')
export class LeaderWatchController {
  private held = 0;

  constructor(
    @Inject(HA_SETTINGS) private readonly settings: HaSettings,
    private readonly term: ActingTerm,
  ) {}

  @Get('watch')
  watch(@Req() request: Request, @Res() response: Response): void {
    const { adminToken } = this.settings.config;
    if (adminToken !== undefined && !hasAdminToken(request.headers, adminToken)) {
      response.status(401).json({ statusCode: 401, message: 'the leader watch needs the admin token (Authorization: Bearer <ha.adminToken>)' });
      return;
    }
    if (!this.holding()) return void response.set('connection', 'close').json(this.answer());
    if (this.held >= LEADER_WATCH_MAX_HELD) {
      response.status(429).json({ statusCode: 429, message: `at most ${LEADER_WATCH_MAX_HELD} leader watches are held at once` });
      return;
    }
    this.hold(request, response);
  }

  private hold(request: Request, response: Response): void {
    this.held += 1;
    response.status(200).set({ 'content-type': 'application/json', connection: 'close' });
    response.flushHeaders();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.held -= 1;
      clearTimeout(timer);
      unsubscribe();
      if (!response.writableEnded) response.end(JSON.stringify(this.answer()));
    };
    const timer = setTimeout(finish, LEADER_WATCH_HOLD_MS);
    const unsubscribe = this.term.onChange(() => {
      if (!this.holding()) finish();
    });
    request.on('close', finish);
  }

  /** Holds the lock (activating or leader): a crash of this process is what the watchers look for. */
  private holding(): boolean {
    return this.settings.config.ha_enabled && this.term.holdsLock;
  }

  private answer(): { instanceId: string; holding: boolean } {
    return { instanceId: this.settings.identity.instanceId, holding: this.holding() };
  }
}
