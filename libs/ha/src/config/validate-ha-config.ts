import { closestKey } from './closest-key.js';
import { describeValue, unknownKeyMessage } from './describe-value.js';
import { HA_SECRET_KEYS, type HaConfig } from './ha-config.js';
import { HA_FIELDS, HA_KEYS } from './ha-config-fields.js';
import { crossKeyProblems } from './ha-config-rules.js';
import { HA_DEFAULTS, HA_OPTIONAL_KEYS } from './ha-defaults.js';

/**
 * Validates the raw `ha:` section (from YAML, command line or environment) and applies the defaults.
 * Reports every problem, one `path.key: expected ..., got ...` line each, never the first only; secrets
 * are shown as `<redacted>`. The returned config holds defaults in place of invalid values, so callers
 * must not use it when `problems` is not empty (throw `new HaConfigError(problems)`).
 */
export function validateHaConfig(raw: unknown, path = 'ha'): { config: HaConfig; problems: string[] } {
  if (raw === undefined || raw === null) return finish({}, new Set(), [], path);
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { config: { ...HA_DEFAULTS }, problems: [`${path}: expected a map of HA settings, got ${describeValue(raw)}`] };
  }
  const values: Record<string, unknown> = {};
  const invalid = new Set<string>();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(HA_FIELDS, key)) {
      problems.push(unknownKeyProblem(path, key));
      continue;
    }
    if (isAbsent(key as keyof HaConfig, value)) continue;
    const parsed = HA_FIELDS[key as keyof HaConfig](value);
    if (parsed.ok) {
      values[key] = parsed.value;
    } else {
      invalid.add(key);
      const shown = describeValue(value, HA_SECRET_KEYS.has(key as keyof HaConfig));
      problems.push(`${path}.${key}: expected ${parsed.expected}, got ${shown}`);
    }
  }
  return finish(values, invalid, problems, path);
}

function finish(values: Record<string, unknown>, invalid: Set<string>, problems: string[], path: string) {
  const config = { ...HA_DEFAULTS, ...values } as HaConfig;
  // Unset, the hold-off follows the retry pace it is meant to outlast (see ha-defaults.ts).
  const stepDownHoldOffInSecond = Object.hasOwn(values, 'stepDownHoldOffInSecond') ? config.stepDownHoldOffInSecond : config.lockAcquisitionDelayInSecond;
  const resolved: HaConfig = { ...config, stepDownHoldOffInSecond };
  return { config: resolved, problems: [...problems, ...crossKeyProblems(resolved, invalid, path)] };
}

/**
 * `key:` with no value in YAML is null, and an empty `--ha.consulToken=` is "": both mean "not set" for
 * an optional key. For keys with a default, only null does; "" is reported as the mistake it likely is.
 */
function isAbsent(key: keyof HaConfig, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  return value === '' && (HA_OPTIONAL_KEYS as readonly string[]).includes(key);
}

function unknownKeyProblem(path: string, key: string): string {
  return `${path}.${key}: ${unknownKeyMessage(closestKey(key, HA_KEYS), HA_KEYS)}`;
}
