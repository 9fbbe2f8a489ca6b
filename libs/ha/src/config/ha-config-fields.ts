import type { HaConfig } from './ha-config.js';
import {
  MAX_TIMER_MS,
  boolean,
  consulKey,
  host,
  integer,
  matching,
  nonBlank,
  oneOf,
  positiveUpTo,
  type Parser,
} from './ha-config-parsers.js';

/**
 * One parser per key: the single-value rules. Rules that relate two keys live in ha-config-rules.ts.
 * Ranges quoted from Consul are in docs/consul-behaviour.md (§0, §2.2, §3, §5); the others keep timers in range.
 */
export const HA_FIELDS: { readonly [K in keyof HaConfig]-?: Parser<NonNullable<HaConfig[K]>> } = {
  ha_enabled: boolean,
  consulAgentIp: host,
  consulAgentPort: integer(1, 65535),
  instanceIp: host,
  instanceCheckIp: host,
  // Consul refuses check intervals under 1 s.
  healthCheckPeriodInSecond: integer(1, 86400, "Consul's minimum check interval is 1 s"),
  // Consul refuses session TTLs outside [10s, 24h].
  consulSessionTTLInSecond: integer(10, 86400, "Consul's session TTL range"),
  // Consul stores more but clamps lock-delay to 60 s when applying it: reject rather than mislead.
  consulLockDelayInSecond: integer(0, 60, 'Consul clamps lock-delay at 60 s'),
  // 0 would spin against an unreachable agent.
  lockAcquisitionDelayInSecond: integer(1, 86400),
  consul_tls_enabled: boolean,
  keyStorePath: nonBlank,
  trustStorePath: nonBlank,
  keyStoresPwd: nonBlank,
  keyStorePwd: nonBlank,
  trustStorePwd: nonBlank,
  serverProtocol: oneOf(['http', 'https'] as const),
  health_disk_space_threshold: integer(0, Number.MAX_SAFE_INTEGER),
  health_es_timeout: integer(1, MAX_TIMER_MS),
  // Consul caps a blocking wait at 10 min; a longer setting would silently become 10 min.
  consulQueryTimeoutInMin: positiveUpTo(10, 'Consul caps blocking waits at 10 min'),
  consulConnectTimeoutInMillis: integer(1, MAX_TIMER_MS),
  consulReadTimeoutInMillis: integer(1, MAX_TIMER_MS),
  consulToken: nonBlank,
  // A DNS label: Consul warns about, and its DNS interface cannot serve, other service names.
  serviceName: matching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/, 'a DNS label of [A-Za-z0-9-], 1-63 characters'),
  leaderKey: consulKey,
  // Used in Consul service ids, check ids and metric labels.
  instanceId: matching(/^[A-Za-z0-9._-]{1,64}$/, '1-64 characters of [A-Za-z0-9._-]'),
  consulDatacenter: matching(/^[A-Za-z0-9_-]{1,64}$/, 'a datacenter name of [A-Za-z0-9_-]'),
  activationTimeoutInSecond: integer(1, Math.floor(MAX_TIMER_MS / 1000)),
  drainTimeoutInMillis: integer(0, MAX_TIMER_MS),
  stepDownHoldOffInSecond: integer(0, Math.floor(MAX_TIMER_MS / 1000)),
  // Fractions allowed (e.g. 2.5); below the renew deadline (ha-config-rules.ts).
  leaderLeaseInSecond: positiveUpTo(86400, 'a lease longer than a day would keep a dead leader acting for a day'),
  closeTimeoutInMillis: integer(1, MAX_TIMER_MS),
  adminToken: nonBlank,
  forwardToLeader: boolean,
  // 0 answers 503 at once (no hold) but still forwards to a leader already known.
  forwardTimeoutInMillis: integer(0, MAX_TIMER_MS),
  peerCrashDetection: boolean,
  failsafe: boolean,
  // An unlisted instance waits this + lease before racing for a key freed without release (unless that
  // leader refuses connections): a day at most.
  failsafeMaxInSecond: integer(1, 86400, 'an unlisted instance waits this long to race for a key its leader did not release'),
};

export const HA_KEYS = Object.keys(HA_FIELDS) as (keyof HaConfig)[];
