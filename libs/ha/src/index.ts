// Public surface of the HA plugin (STYLE.md rule 10): everything not exported here is internal.
export { HA_CONTEXT, type HaContext } from './ha-context.js';
export { HaModule } from './ha.module.js';
export type { HaModuleOptions } from './ha-module-options.js';
export { HA_MODULE_OPTIONS } from './ha-module-definition.js';
export { HaService, type HaStatus } from './ha.service.js';
export { HaEvents, HA_ELECTED, HA_REVOKED, type HaLeadershipEvent } from './ha-events.js';
export type { ElasticsearchTarget } from './health/elasticsearch.health.js';
export type { ConfigureApplication } from './host/full-graph-host.js';
export type { Clock } from './clock/clock.port.js';
export type { ConsulPort } from './consul/consul.port.js';
export { ConsulUnavailableError, SessionInvalidatedError, SessionRefusedError, ConsulAccessDeniedError } from './consul/consul-errors.js';
export { validateHaConfig } from './config/validate-ha-config.js';
export type { HaConfig } from './config/ha-config.js';
export { HA_DEFAULTS } from './config/ha-defaults.js';
export { deriveHaTimings, type HaTimings } from './config/ha-timings.js';
export { HaConfigError } from './config/ha-config.error.js';
export { loadConsulTlsMaterial } from './tls/load-consul-tls-material.js';
export type { ConsulTlsMaterial } from './tls/consul-tls-material.js';
