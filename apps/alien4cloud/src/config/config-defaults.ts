/**
 * Every default of the A4C configuration, in one place (docs/architecture.md §7, convention 7), each with the reason for its
 * value. The ha section's defaults belong to the HA plugin (docs/architecture.md §5).
 */
export const CONFIG_DEFAULTS = {
  server: {
    /** A4C's historical port: proxies, docs and scripts already point at it. */
    port: 8088,
    /** All interfaces: in HA the Consul agent and the proxy reach the instance from other hosts. */
    host: '0.0.0.0',
    /** Plain HTTP by default: TLS usually ends at the proxy in front of the instances. */
    sslEnabled: false,
  },
  directories: {
    /** Relative to the working directory; `/data/` is gitignored so a dev run never dirties the tree. */
    alien: './data/alien',
  },
  elasticsearch: {
    /** No URL means the embedded store: a single instance works out of the box. */
    urls: [] as string[],
    /** Bounded well under the HA renew deadline so a hung cluster cannot stall a leader's step. */
    requestTimeoutInMillis: 10_000,
    /** Lets several A4C installations (or tests) share one cluster without clashing indices. */
    indexPrefix: 'a4c-',
  },
  /**
   * One local orchestrator so a fresh install shows background work; 5 s is frequent enough to look
   * alive and cheap on the store.
   */
  orchestrators: [{ name: 'local', pollIntervalInMillis: 5_000 }],
  logging: {
    /** Readable in a terminal and in journald as it always was; `json` is for log shippers. */
    format: 'text',
  },
  /** Used when --config is not given; a missing file at this path means "all defaults". */
  configFile: 'config/alien4cloud-config.yml',
} as const;
