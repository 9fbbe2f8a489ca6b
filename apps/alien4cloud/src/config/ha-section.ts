import { validateHaConfig, type HaConfig } from '@a4c/ha';
import { problemOfLine } from './config-problem.js';
import type { Validator } from './validators.js';

/**
 * `sectionValidators.ha`: the HA plugin's own validator (libs/ha `validateHaConfig`), adapted to this
 * schema. Its problems are `path: message` lines already; they are split back so they print the same.
 */
export const validateHaSection: Validator<HaConfig> = (raw, path, ctx) => {
  const { config, problems } = validateHaConfig(raw, path);
  ctx.problems.push(...problems.map((line) => problemOfLine(line)));
  return problems.length === 0 ? config : undefined;
};
