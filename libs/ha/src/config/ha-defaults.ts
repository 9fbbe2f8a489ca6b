import type { HaConfig } from './ha-config.js';

/** The keys without a default: unset means "not configured" (the optional fields of HaConfig). */
export const HA_OPTIONAL_KEYS = [
  'instanceIp',
  'instanceCheckIp',
  'keyStorePath',
  'trustStorePath',
  'keyStoresPwd',
  'keyStorePwd',
  'trustStorePwd',
  'consulToken',
  'instanceId',
  'consulDatacenter',
  'adminToken',
  'leaderLeaseInSecond',
] as const satisfies readonly (keyof HaConfig)[];
export type HaOptionalKey = (typeof HA_OPTIONAL_KEYS)[number];

/** The keys that always have a value once defaults are applied. */
export type HaDefaults = Readonly<Required<Omit<HaConfig, HaOptionalKey>>>;

/**
 * Every default in one place (docs/architecture.md §7, convention 7). The A4C values are kept as A4C shipped them so that an
 * existing alien4cloud-config.yml behaves the same; the reason each one is sound is given beside it.
 */
export const HA_DEFAULTS: HaDefaults = Object.freeze({
  // Off unless asked for: a single instance needs no Consul, and HA needs instanceIp which has no default.
  ha_enabled: false,
  // A4C expects a Consul agent on every A4C host; the agent knows the servers and handles their failover.
  consulAgentIp: 'localhost',
  // Consul's default HTTP API port.
  consulAgentPort: 8500,
  // Consul probes /rest/admin/health this often; a dead leader is noticed within one period plus the
  // check's timeout, which keeps failover to a few seconds without loading the instance.
  healthCheckPeriodInSecond: 5,
  // Crashes are caught by the health check, so the TTL only bounds a hung or partitioned leader; 60 s
  // leaves room for drain and close before Consul may free the lock (see ha-timings.ts).
  consulSessionTTLInSecond: 60,
  // A failed leader's lock is handed over at once: a fresh leader matters more than Consul's 15 s pause,
  // and our leader self-fences before its session can expire (renew deadline < TTL).
  consulLockDelayInSecond: 0,
  // A4C's retry pace when Consul is unreachable or acquisition fails: slow enough not to hammer an agent
  // that is restarting, fast enough that a backup takes over within a minute.
  lockAcquisitionDelayInSecond: 20,
  // Plain HTTP to a local agent is A4C's default; TLS needs stores that have no sensible default.
  consul_tls_enabled: false,
  // A4C serves plain HTTP unless its own SSL is configured.
  serverProtocol: 'http',
  // 10 MiB: below this A4C can no longer store CSARs or plugins, so the instance should not lead.
  health_disk_space_threshold: 10 * 1024 * 1024,
  // Elasticsearch answers cluster health in milliseconds when healthy; 1 s stays well under Consul's
  // 10 s check timeout.
  health_es_timeout: 1000,
  // Blocking reads wait 3 min: few requests when nothing changes, and under Consul's 10 min cap.
  consulQueryTimeoutInMin: 3,
  // A4C's TCP connect timeout; the effective bound is also capped by the renew deadline (ha-timings.ts).
  consulConnectTimeoutInMillis: 30_000,
  // 5 min exceeds the 3 min wait + wait/16 jitter + server hold that a blocking read can legally take.
  consulReadTimeoutInMillis: 300_000,
  // A4C's service name in Consul's catalogue; consul-template configs in the field look for it.
  serviceName: 'a4c',
  // A4C's lock key; the proxy templates watch it. Valid under Consul 1.21.5's stricter key rules.
  leaderKey: 'service/a4c/leader',
  // Booting the full graph (Elasticsearch indices, plugins) takes seconds; a minute means it is stuck and
  // another instance should have its turn.
  activationTimeoutInSecond: 60,
  // In-flight REST calls finish in well under 5 s; longer ones are cut rather than delay a handover.
  drainTimeoutInMillis: 5000,
  // Nest closes a graph (timers, clients, pools) in well under a second; 5 s means a shutdown hook hangs,
  // and the process is better restarted clean than left holding resources (rule 11).
  closeTimeoutInMillis: 5000,
  // Equal to lockAcquisitionDelayInSecond's default, and when unset it follows that key: a backup that is
  // in its retry pause gets at least one attempt before the leader that stepped down may compete again.
  stepDownHoldOffInSecond: 20,
  // Users should see a pause, not an error, while the leader changes: backups hold and forward.
  forwardToLeader: true,
  // Covers a crash failover with the defaults: check interval 5 s + check timeout (≤ 5 s) + acquire and
  // activation (a few seconds); past it the client gets 503 + Retry-After (docs/operations.md).
  forwardTimeoutInMillis: 15_000,
  // A crashed leader's port refuses connections at once: a peer that proves it frees the lock in
  // milliseconds instead of one check period (docs/architecture.md rule 14). The proof is the same one
  // rule 10 already trusts, so it costs no safety; one held connection per backup is its whole cost.
  peerCrashDetection: true,
  // On: a Consul outage every instance shares (agents refusing, servers without quorum) costs users
  // nothing (rule 13). It needs ha.adminToken (without one it stays off, logged once); its price, an
  // instance the key's members do not list yet waiting before it races for a key a live but cut-off
  // leader did not release, is in docs/operations.md, "Failsafe".
  failsafe: true,
  // 5 min: longer than the outages seen in practice (a server restart or upgrade, a quorum regained, a
  // certificate or ACL fix), so they cost users nothing; short enough that an instance the key does not
  // list (one that joined since the leader last wrote its members) waits at most this + lease + margin
  // before racing for a key freed without release (docs/operations.md, "Failsafe").
  failsafeMaxInSecond: 300,
});
