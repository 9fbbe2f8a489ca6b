import { HA_SECRET_KEYS, redactUrlCredentials } from '@a4c/ha';

/**
 * Configuration keys whose values never appear in logs or errors, per section. The ha list is the HA
 * plugin's own (key store passwords, Consul ACL token, step-down admin token), defined once there.
 * A Map, so a section named `constructor` or `__proto__` finds nothing instead of Object's machinery.
 */
const SECRET_KEYS: ReadonlyMap<string, ReadonlySet<string>> = new Map<string, ReadonlySet<string>>([
  ['elasticsearch', new Set(['password', 'apiKey'])],
  ['ha', HA_SECRET_KEYS as ReadonlySet<string>],
]);

export const REDACTED = '<redacted>';

/** True for `elasticsearch.password`, `ha.consulToken`, ... (also for anything below such a key). */
export function isSecretPath(path: string): boolean {
  const [section, key] = path.split('.');
  const bareKey = key?.replace(/\[.*$/, '');
  return !!section && !!bareKey && (SECRET_KEYS.get(section)?.has(bareKey) ?? false);
}

/** Credentials embedded in URLs (`https://user:pass@host`) are secrets too (the plugin's one rule). */
export const redactText: (text: string) => string = redactUrlCredentials;

/** A deep copy of a config-shaped object with every secret replaced, safe to log. */
export function redactConfig<T>(config: T, prefix = ''): T {
  if (Array.isArray(config)) return config.map((item) => redactConfig(item, prefix)) as T;
  if (typeof config === 'string') return redactText(config) as T;
  if (!config || typeof config !== 'object') return config;
  const copy: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${key}` : key;
    copy[key] = isSecretPath(path) && value !== undefined ? REDACTED : redactConfig(value, path);
  }
  return copy as T;
}
