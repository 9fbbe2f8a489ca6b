import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { disposeAllElasticsearchNodes, startElasticsearchNode, type ElasticsearchNode } from './elasticsearch-node.js';
import type { FailoverScenario } from './failover-scenario.js';
import { killAllSpawned } from './spawned-process.js';

/** What a failover suite file shares between its tests: one Elasticsearch node and the current scenario. */
export interface FailoverSuite {
  /** The suite's Elasticsearch node (started in beforeAll). */
  readonly es: ElasticsearchNode;
  /** The scenario of the running test; disposed (and cleared) after each test. */
  scenario: FailoverScenario | undefined;
}

/**
 * Registers the hooks every failover suite needs: one real Elasticsearch node per file, the scenario
 * disposed after each test (after `beforeDispose`, e.g. clearing injected faults; then `afterDispose`,
 * e.g. unmounting), and every process and node killed at the end, also when a test failed.
 */
export function failoverSuite(
  hooks: { beforeDispose?: (scenario: FailoverScenario) => Promise<void>; afterDispose?: () => Promise<void> | void } = {},
): FailoverSuite {
  let es: ElasticsearchNode | undefined;
  const suite: FailoverSuite = {
    get es() {
      if (!es) throw new Error('the suite Elasticsearch node is not started (used outside a test?)');
      return es;
    },
    scenario: undefined,
  };
  beforeAll(async () => {
    es = await startElasticsearchNode();
  }, 180_000);
  afterEach(async () => {
    const scenario = suite.scenario;
    suite.scenario = undefined;
    if (scenario) await hooks.beforeDispose?.(scenario);
    await scenario?.dispose();
    await hooks.afterDispose?.();
  });
  afterAll(async () => {
    await killAllSpawned();
    await disposeAllElasticsearchNodes();
  });
  return suite;
}
