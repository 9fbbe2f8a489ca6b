import { HA_DEFAULTS, validateHaConfig, type HaConfig } from '../../../../libs/ha/src/index.js';
import type { ConfigProblem } from './config-problem.js';
import type { Validator } from './validators.js';

/** The ha keys without a default (HaConfig's optional ones). */
const OPTIONAL_HA_KEYS = [
  'instanceIp', 'instanceCheckIp', 'keyStorePath', 'trustStorePath', 'keyStoresPwd', 'keyStorePwd', 'trustStorePwd',
  'consulToken', 'instanceId', 'consulDatacenter', 'adminToken',
] as const satisfies readonly (keyof HaConfig)[];

/**
 * Every key of the `ha:` section, used to map environment variables such as `A4C_HA__CONSULAGENTIP`
 * onto their camel-case key. Validation, defaults and typo detection belong to the HA plugin.
 */
export const HA_KEYS: readonly string[] = [...Object.keys(HA_DEFAULTS), ...OPTIONAL_HA_KEYS];

/**
 * `sectionValidators.ha`: the HA plugin's own validator (libs/ha `validateHaConfig`), adapted to this
 * schema. Its problems are `path: message` lines already; they are split back so they print the same.
 */
export const validateHaSection: Validator<HaConfig> = (raw, path, ctx) => {
  const { config, problems } = validateHaConfig(raw, path);
  ctx.problems.push(...problems.map(toProblem));
  return problems.length === 0 ? config : undefined;
};

function toProblem(line: string): ConfigProblem {
  const separator = line.indexOf(': ');
  return separator < 0 ? { path: 'ha', message: line } : { path: line.slice(0, separator), message: line.slice(separator + 2) };
}
