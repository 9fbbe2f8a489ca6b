import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import { HA_KEYS } from '../config/ha-config-fields.js';
import { HA_SECRET_KEYS, type HaConfig } from '../config/ha-config.js';
import { HaConfigError } from '../config/ha-config.error.js';
import { validateHaConfig } from '../config/validate-ha-config.js';
import type { ConsulConnection } from '../consul/consul-client.adapter.js';
import { loadConsulTlsMaterial } from '../tls/load-consul-tls-material.js';
import type { CliArgs } from './cli-args.js';
import { UsageError } from './cli-errors.js';

/** The server's default config file, used when --config is not given and the file exists. */
const DEFAULT_CONFIG_FILE = 'config/alien4cloud-config.yml';
/** Every CLI call to Consul is short: an operator waits on it, and it never blocks. */
const CONSUL_REQUEST_TIMEOUT_MS = 3_000;

export interface CliSettings {
  config: HaConfig;
  consul: ConsulConnection;
  /** Shown in messages: where Consul was looked for. */
  consulUrl: string;
  adminToken: string | undefined;
}

/**
 * The `ha:` section the way the server builds it: the file (`--config FILE`, else the default file when
 * present) < environment (`A4C_ha__<key>`) < command line (`--ha.<key>=value`), validated by the
 * plugin's own validator; then `--consul URL` and `--token` win. Problems are one line each (exit 2).
 */
export function loadCliSettings(args: CliArgs, env: Readonly<Record<string, string | undefined>>, cwd: string): CliSettings {
  const raw = { ...readHaSection(args.flags.config, cwd) };
  for (const [name, text] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    const match = /^A4C_ha__(.+)$/i.exec(name);
    if (match && text !== undefined) setKey(raw, match[1], text);
  }
  for (const { path, text } of args.overrides) {
    if (path[0].toLowerCase() === 'ha' && path.length === 2) setKey(raw, path[1], text);
    else if (path[0].toLowerCase() === 'ha') throw new UsageError(`--${path.join('.')}: expected --ha.<key>=value`);
    // other sections (server, elasticsearch, ...) do not concern the CLI: accepted so one command line fits both
  }
  const { config, problems } = validateHaConfig(raw, 'ha');
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  let host = config.consulAgentIp;
  let port = config.consulAgentPort;
  let secure = config.consul_tls_enabled;
  if (args.flags.consul !== undefined) ({ host, port, secure } = parseConsulUrl(args.flags.consul));
  let tls: ConsulConnection['tls'];
  try {
    tls = secure ? (config.consul_tls_enabled ? loadConsulTlsMaterial(config) : {}) : undefined;
  } catch (error) {
    if (error instanceof HaConfigError) throw new UsageError(error.problems.join('\n'));
    throw error;
  }
  return {
    config,
    consul: { host, port, tls, token: config.consulToken, datacenter: config.consulDatacenter, requestTimeoutMs: CONSUL_REQUEST_TIMEOUT_MS, blockingReadTimeoutMs: CONSUL_REQUEST_TIMEOUT_MS },
    consulUrl: `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    adminToken: args.flags.token ?? config.adminToken,
  };
}

function readHaSection(configFlag: string | undefined, cwd: string): Record<string, unknown> {
  const file = resolve(cwd, configFlag ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (configFlag !== undefined) throw new UsageError(`--config: file not found: ${JSON.stringify(configFlag)}`);
    return {};
  }
  const document = YAML.parseDocument(readFileSync(file, 'utf8'));
  // the parser's excerpt of the line could show a secret: its first line only
  if (document.errors.length > 0) throw new UsageError(document.errors.map((e) => `${file}: invalid YAML: ${e.message.split('\n')[0]}`).join('\n'));
  const ha = (document.toJS() as { ha?: unknown } | null)?.ha;
  if (ha === undefined || ha === null) return {};
  if (typeof ha !== 'object' || Array.isArray(ha)) throw new UsageError(`${file}: ha: expected a map of HA settings`);
  return ha as Record<string, unknown>;
}

/** Keys match case-insensitively (environment names are often upper-cased); values are YAML scalars, secrets verbatim. */
function setKey(raw: Record<string, unknown>, given: string, text: string): void {
  const key = HA_KEYS.find((k) => k.toLowerCase() === given.toLowerCase()) ?? given;
  if (HA_SECRET_KEYS.has(key as keyof HaConfig)) {
    raw[key] = text === '' ? null : text;
    return;
  }
  try {
    raw[key] = YAML.parse(text) as unknown;
  } catch {
    raw[key] = text;
  }
}

function parseConsulUrl(text: string): { host: string; port: number; secure: boolean } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--consul: expected a URL such as http://127.0.0.1:8500, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--consul: expected http:// or https://, got ${JSON.stringify(text)}`);
  const secure = url.protocol === 'https:';
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : secure ? 8501 : 8500, secure };
}
