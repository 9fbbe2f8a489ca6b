import type { HaConfig } from '@a4c/ha';

/**
 * The validated configuration of an A4C instance: what loadConfig() returns and CoreModule.forRoot()
 * takes. Every field has its default applied and every path is absolute (resolved against the cwd).
 */
export interface AppConfig {
  readonly server: ServerConfig;
  readonly directories: DirectoriesConfig;
  readonly elasticsearch: ElasticsearchConfig;
  readonly orchestrators: readonly OrchestratorConfig[];
  readonly logging: LoggingConfig;
  /** The `ha:` section, as returned by its section validator (see ha-section.ts). */
  readonly ha: HaSectionConfig;
}

export interface LoggingConfig {
  /** `text`: Nest's console lines; `json`: one JSON object per line (time, level, context, message, fields). */
  readonly format: 'text' | 'json';
}

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly ssl: ServerSslConfig;
}

export interface ServerSslConfig {
  readonly enabled: boolean;
  /** Absolute path of the PEM private key; set whenever `enabled` is true. */
  readonly keyFile?: string;
  /** Absolute path of the PEM certificate chain; set whenever `enabled` is true. */
  readonly certFile?: string;
}

export interface DirectoriesConfig {
  /** Absolute path of A4C's data directory (embedded store, plugins). */
  readonly alien: string;
}

export interface ElasticsearchConfig {
  /** Empty: use the embedded file-backed store under `directories.alien/store`. */
  readonly urls: readonly string[];
  readonly username?: string;
  readonly password?: string;
  readonly apiKey?: string;
  /** Absolute path of a PEM CA bundle to trust. */
  readonly caFile?: string;
  readonly requestTimeoutInMillis: number;
  readonly indexPrefix: string;
}

export interface OrchestratorConfig {
  readonly name: string;
  readonly pollIntervalInMillis: number;
}

export interface LoggingConfig {
  /** `text`: Nest's console lines; `json`: one JSON object per line (time, level, context, message, fields). */
  readonly format: 'text' | 'json';
}

/** The `ha:` section, validated and defaulted by the HA plugin's validateHaConfig (ha-section.ts). */
export type HaSectionConfig = HaConfig;
