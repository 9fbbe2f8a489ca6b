import type { AppConfig, ElasticsearchConfig, LoggingConfig, OrchestratorConfig, ServerConfig, ServerSslConfig } from './app-config.js';
import { CONFIG_DEFAULTS } from './config-defaults.js';
import { validateHaSection } from './ha-section.js';
import {
  boolean, directoryPath, existingFile, httpUrlList, integer, listOf, objectOf, oneOf, optional, string, withDefault,
  type ValidationContext, type Validator,
} from './validators.js';

const server = objectOf<ServerConfig>({
  port: withDefault(integer(1, 65535), CONFIG_DEFAULTS.server.port),
  host: withDefault(string({ expected: 'a host name or IP address' }), CONFIG_DEFAULTS.server.host),
  ssl: objectOf<ServerSslConfig>(
    {
      enabled: withDefault(boolean(), CONFIG_DEFAULTS.server.sslEnabled),
      keyFile: optional(existingFile()),
      certFile: optional(existingFile()),
    },
    (ssl, path, ctx) => {
      if (!ssl.enabled) return;
      if (!ssl.keyFile) ctx.problems.push({ path: `${path}.keyFile`, message: `required when ${path}.enabled is true` });
      if (!ssl.certFile) ctx.problems.push({ path: `${path}.certFile`, message: `required when ${path}.enabled is true` });
    },
  ),
});

const directories = objectOf<AppConfig['directories']>({
  alien: withDefault(directoryPath(), CONFIG_DEFAULTS.directories.alien),
});

// Index names must be lowercase and cannot start with "-", "_" or "+" (Elasticsearch rules).
const INDEX_PREFIX = /^[a-z0-9][a-z0-9._-]*$/;

const elasticsearch = objectOf<ElasticsearchConfig>(
  {
    urls: withDefault(httpUrlList(), CONFIG_DEFAULTS.elasticsearch.urls),
    username: optional(string()),
    password: optional(string()),
    apiKey: optional(string()),
    caFile: optional(existingFile()),
    requestTimeoutInMillis: withDefault(integer(1, 600_000), CONFIG_DEFAULTS.elasticsearch.requestTimeoutInMillis),
    indexPrefix: withDefault(
      string({ pattern: INDEX_PREFIX, expected: 'lowercase letters, digits, ".", "_" or "-", starting with a letter or digit' }),
      CONFIG_DEFAULTS.elasticsearch.indexPrefix,
    ),
  },
  (es, path, ctx) => {
    if (es.username && !es.password) ctx.problems.push({ path: `${path}.password`, message: `required when ${path}.username is set` });
    if (es.password && !es.username) ctx.problems.push({ path: `${path}.username`, message: `required when ${path}.password is set` });
    if (es.apiKey && es.username) ctx.problems.push({ path: `${path}.apiKey`, message: `use either ${path}.apiKey or ${path}.username/password, not both` });
  },
);

const orchestrator = objectOf<OrchestratorConfig>({
  name: string({ pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, expected: '1-63 letters, digits, "-" or "_", starting with a letter or digit' }),
  pollIntervalInMillis: withDefault(integer(10, 86_400_000), CONFIG_DEFAULTS.orchestrators[0].pollIntervalInMillis),
});

const orchestrators: Validator<OrchestratorConfig[]> = (raw, path, ctx: ValidationContext) => {
  if (raw === undefined) return CONFIG_DEFAULTS.orchestrators.map((o) => ({ ...o }));
  if (raw === null) return []; // `orchestrators:` with nothing under it: the operator wants none
  const list = listOf(orchestrator)(raw, path, ctx);
  if (!list) return undefined;
  const seen = new Set<string>();
  list.forEach(({ name }, i) => {
    if (seen.has(name)) ctx.problems.push({ path: `${path}[${i}].name`, message: `duplicate orchestrator name "${name}"` });
    seen.add(name);
  });
  return seen.size === list.length ? list : undefined;
};

const logging = objectOf<LoggingConfig>({
  format: withDefault(oneOf(['text', 'json'] as const), CONFIG_DEFAULTS.logging.format),
});

/**
 * One validator per top-level section. `sectionValidators.ha` is the hook of the HA plugin (see
 * ha-section.ts).
 */
export const sectionValidators = { server, directories, elasticsearch, orchestrators, logging, ha: validateHaSection };

export const configSchema: Validator<AppConfig> = objectOf<AppConfig>(sectionValidators);
