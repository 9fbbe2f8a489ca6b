import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { HA_SETTINGS } from '../ha-providers.js';
import type { HaSettings } from '../ha-runtime.js';
import { hasAdminToken } from './admin-token.js';

/**
 * Guards the admin mutations (step-down, and the failsafe round between instances). With HA on, the route works only once `ha.adminToken` is set:
 * without one it answers 403 (any user able to reach the port could otherwise flap the leader); with one,
 * a request without the right token gets 401. With HA off and no token, the route is let through (it
 * answers 409: no election to step down from).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(HA_SETTINGS) private readonly settings: HaSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const { adminToken, ha_enabled } = this.settings.config;
    if (adminToken === undefined) {
      if (ha_enabled) throw new ForbiddenException({ statusCode: 403, message: 'step-down is disabled: set ha.adminToken' });
      return true;
    }
    if (!hasAdminToken(context.switchToHttp().getRequest<Request>().headers, adminToken)) {
      throw new UnauthorizedException({ statusCode: 401, message: 'step-down needs the admin token (Authorization: Bearer <ha.adminToken>)' });
    }
    return true;
  }
}
