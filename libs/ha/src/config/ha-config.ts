/**
 * The `ha:` section of the A4C configuration after validation (docs/architecture.md §5). Key names are A4C's own,
 * snake_case oddities included, so existing config files keep working unchanged. Every key has a value
 * here except the optional ones; defaults live in ha-defaults.ts and are applied by validateHaConfig.
 * The server port is not part of it: the host passes the port it listens on separately.
 */
export interface HaConfig {
  /** HA off: the full graph boots at once and nothing talks to Consul. */
  readonly ha_enabled: boolean;
  /** Host of the local Consul agent's HTTP(S) API. */
  readonly consulAgentIp: string;
  readonly consulAgentPort: number;
  /** Address Consul and the other instances use to reach this one (required when ha_enabled). */
  readonly instanceIp?: string;
  /** Address the Consul agent's HTTP check uses, when it differs from instanceIp (defaults to it). */
  readonly instanceCheckIp?: string;
  /** Interval of the service's HTTP check run by the Consul agent. */
  readonly healthCheckPeriodInSecond: number;
  readonly consulSessionTTLInSecond: number;
  readonly consulLockDelayInSecond: number;
  /** Retry delay after a failed acquisition or an unreachable Consul. */
  readonly lockAcquisitionDelayInSecond: number;
  readonly consul_tls_enabled: boolean;
  /** Client identity for mutual TLS with Consul: PKCS#12, PEM (cert + key) or JKS. */
  readonly keyStorePath?: string;
  /** CA certificates that sign Consul's HTTPS certificate: PKCS#12, PEM or JKS. */
  readonly trustStorePath?: string;
  /** A4C's single password for both stores; keyStorePwd/trustStorePwd override it per store. */
  readonly keyStoresPwd?: string;
  readonly keyStorePwd?: string;
  readonly trustStorePwd?: string;
  /** Scheme of this instance's own URL (health check URL and the leader value's url). */
  readonly serverProtocol: 'http' | 'https';
  /** Bytes of free disk space under directories.alien below which the health check reports down. */
  readonly health_disk_space_threshold: number;
  /** Milliseconds the health check waits for Elasticsearch's cluster health. */
  readonly health_es_timeout: number;
  /** Blocking-query wait (minutes; fractions allowed). */
  readonly consulQueryTimeoutInMin: number;
  readonly consulConnectTimeoutInMillis: number;
  /** Read timeout of blocking queries only; other calls are bounded by the renew deadline. */
  readonly consulReadTimeoutInMillis: number;
  /** ACL token sent as X-Consul-Token. Secret. */
  readonly consulToken?: string;
  readonly serviceName: string;
  readonly leaderKey: string;
  /** Unique id of this instance (service id, leader value); derived from host and port when absent. */
  readonly instanceId?: string;
  readonly consulDatacenter?: string;
  /** Our addition: how long the full graph may take to initialise before the lock is given up. */
  readonly activationTimeoutInSecond: number;
  /** Our addition: bound on waiting for in-flight requests when the full graph is taken down. */
  readonly drainTimeoutInMillis: number;
  /** Our addition: how long a leader that stepped down stays out of the election. */
  readonly stepDownHoldOffInSecond: number;
  /**
   * Our addition (rule 9): the leader acts only this long after its last proof of ownership. Unset: 10 s,
   * or a sixth of the session TTL when that is shorter (ha-timings.ts).
   */
  readonly leaderLeaseInSecond?: number;
  /** Our addition (rule 11): bound on closing the full graph; an overrun ends the process (exit code 3). */
  readonly closeTimeoutInMillis: number;
  /** Our addition: bearer token required by POST /rest/admin/ha/step-down when set. Secret. */
  readonly adminToken?: string;
  /** Our addition: a non-acting instance holds and forwards requests to the acting leader (false: 503 at once). */
  readonly forwardToLeader: boolean;
  /** Our addition: how long a non-acting instance holds a request waiting for an acting leader. */
  readonly forwardTimeoutInMillis: number;
  /**
   * Our addition (rule 13): the acting leader keeps acting through a Consul outage while every member the
   * leader key lists confirms that it cannot reach Consul either. Needs ha.adminToken (the round's route).
   */
  readonly failsafe: boolean;
  /** Our addition (rule 13): the longest a leader acts on failsafe confirmations in a row. */
  readonly failsafeMaxInSecond: number;
}

/** Keys whose values are never echoed in messages or logs. */
export const HA_SECRET_KEYS: ReadonlySet<keyof HaConfig> = new Set<keyof HaConfig>([
  'keyStoresPwd',
  'keyStorePwd',
  'trustStorePwd',
  'consulToken',
  'adminToken',
]);
