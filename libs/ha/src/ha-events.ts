import { EventEmitter } from 'node:events';

/** Payload of `ha.elected` and `ha.revoked`. */
export interface HaLeadershipEvent {
  instanceId: string;
  term: number;
  reason: string;
}

export const HA_ELECTED = 'ha.elected';
export const HA_REVOKED = 'ha.revoked';

/**
 * Leadership events for the host application: `ha.elected` once the full graph is up, `ha.revoked`
 * as soon as a term ends (before the full graph is closed). Inject HaEvents and subscribe with on().
 */
export class HaEvents extends EventEmitter {
  onElected(listener: (event: HaLeadershipEvent) => void): this {
    return this.on(HA_ELECTED, listener);
  }

  onRevoked(listener: (event: HaLeadershipEvent) => void): this {
    return this.on(HA_REVOKED, listener);
  }
}
