import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { IndicatorOutcome } from './disk-space.health.js';

/** One of the application's own indicators: a Terminus-style function returning `{ key: { status, ... } }`. */
export type HaHealthIndicator = () => PromiseLike<HealthIndicatorResult> | HealthIndicatorResult;

/**
 * Runs the application's own Terminus indicators (HaModuleOptions.healthIndicators) and turns each
 * result into the plugin's outcome shape, keyed as the indicator named itself. An indicator that throws
 * (Terminus' HealthCheckError style, or a plain error) is down, with the error's message or its causes.
 */
export async function runAppIndicators(indicators: readonly HaHealthIndicator[]): Promise<Record<string, IndicatorOutcome>> {
  const results = await Promise.all(indicators.map((indicator, n) => runOne(indicator, n)));
  return Object.assign({}, ...results) as Record<string, IndicatorOutcome>;
}

async function runOne(indicator: HaHealthIndicator, n: number): Promise<Record<string, IndicatorOutcome>> {
  try {
    return outcomesOf(await indicator());
  } catch (error) {
    const causes = (error as { causes?: unknown })?.causes;
    if (causes && typeof causes === 'object') return outcomesOf(causes as HealthIndicatorResult, false);
    return { [`indicator${n}`]: { up: false, data: { message: error instanceof Error ? error.message : String(error) } } };
  }
}

function outcomesOf(result: HealthIndicatorResult, forceDown?: false): Record<string, IndicatorOutcome> {
  const outcomes: Record<string, IndicatorOutcome> = {};
  for (const [key, value] of Object.entries(result ?? {})) {
    const { status, ...data } = (value ?? {}) as { status?: string } & Record<string, unknown>;
    outcomes[key] = { up: forceDown === undefined && status === 'up', data };
  }
  return outcomes;
}
