/**
 * Configuration keys whose values never appear in logs or errors. The ha list mirrors the secrets of
 * DESIGN.md §5 (key store passwords, Consul ACL token) plus the step-down admin token.
 */
const SECRET_KEYS: Readonly<Record<string, readonly string[]>> = {
  elasticsearch: ['password', 'apiKey'],
  ha: ['keyStoresPwd', 'keyStorePwd', 'trustStorePwd', 'consulToken', 'adminToken'],
};

export const REDACTED = '<redacted>';

/** True for `elasticsearch.password`, `ha.consulToken`, ... (also for anything below such a key). */
export function isSecretPath(path: string): boolean {
  const [section, key] = path.split('.');
  const bareKey = key?.replace(/\[.*$/, '');
  return !!section && !!bareKey && (SECRET_KEYS[section]?.includes(bareKey) ?? false);
}

/** Credentials embedded in URLs (`https://user:pass@host`) are secrets too. */
export function redactText(text: string): string {
  return text.replace(/(\/\/)[^/@\s"]+@/g, `$1${REDACTED}@`);
}

/** A deep copy of a config-shaped object with every secret replaced, safe to log. */
export function redactConfig<T>(config: T, prefix = ''): T {
  if (Array.isArray(config)) return config.map((item) => redactConfig(item, prefix)) as T;
  if (typeof config === 'string') return redactText(config) as T;
  if (!config || typeof config !== 'object') return config;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${key}` : key;
    copy[key] = isSecretPath(path) && value !== undefined ? REDACTED : redactConfig(value, path);
  }
  return copy as T;
}
