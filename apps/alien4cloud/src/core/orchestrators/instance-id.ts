import { hostname } from 'node:os';
import type { AppConfig } from '../../config/app-config.js';

/**
 * The id this instance writes under when no HaContext gives one: `ha.instanceId` when configured,
 * otherwise host name and port, which tells two instances on one host apart.
 */
export function configuredInstanceId(config: AppConfig): string {
  const fromConfig = config.ha.instanceId;
  if (typeof fromConfig === 'string' && fromConfig.length > 0) return fromConfig;
  return `${hostname()}-${config.server.port}`;
}
