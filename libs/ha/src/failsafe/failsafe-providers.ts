import { Logger, type Provider } from '@nestjs/common';
import type { Clock } from '../clock/clock.port.js';
import type { HaConsul, HaSettings } from '../ha-runtime.js';
import { FullGraphHost } from '../host/full-graph-host.js';
import { ActingTerm } from '../term/acting-term.js';
import type { ElectorFailsafe } from './elector-failsafe.js';
import { electorFailsafeFor } from './failsafe-wiring.js';

/** Rule 13's parts (ElectorFailsafe), or null when ha.failsafe is off or cannot work (no admin token, HA off). */
export const HA_FAILSAFE = 'A4C_HA_FAILSAFE';

const logger = new Logger('HA');

/**
 * The failsafe as a provider: built from the settings, its member's promise bound into the acting term
 * (a member that confirmed another leader's round does not act: docs/architecture.md, rule 13). Injected
 * into the elector and the failsafe route. Tokens are strings so that ha-providers.ts need not import us.
 */
export function failsafeProvider(tokens: { settings: string; consul: string; clock: string }): Provider {
  return {
    provide: HA_FAILSAFE,
    useFactory: (settings: HaSettings, consul: HaConsul, clock: Clock, term: ActingTerm, host: FullGraphHost): ElectorFailsafe | null => {
      if (!consul) return null;
      const failsafe = electorFailsafeFor(settings, consul, clock, () => host.epoch);
      if (!failsafe) {
        if (settings.config.failsafe) logger.warn('ha.failsafe is on but ha.adminToken is not set: failsafe rounds cannot be asked or answered, so failsafe is off');
        return null;
      }
      term.restrain((now) => failsafe.member.promiseBinds(now));
      return failsafe;
    },
    inject: [tokens.settings, tokens.consul, tokens.clock, ActingTerm, FullGraphHost],
  };
}
