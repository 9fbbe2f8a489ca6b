import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../../../../test/support/wait-until.js';
import { request, startCore, testConfig, type RunningCore } from '../../testing/core-test-app.js';
import { FileDocumentStore } from '../storage/file-document-store.js';
import { HEARTBEATS_COLLECTION, type OrchestratorHeartbeat } from './orchestrator-heartbeat.js';
import { OrchestratorPoller } from './orchestrator-poller.js';

const INTERVAL = 20;
const ORCHESTRATORS = `--orchestrators=[{name: alpha, pollIntervalInMillis: ${INTERVAL}}, {name: beta, pollIntervalInMillis: ${INTERVAL}}]`;

describe('orchestrator pollers', () => {
  let dir: string;
  let core: RunningCore | undefined;
  let store: FileDocumentStore;
  const controls: OrchestratorPoller[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a4c-pollers-'));
    store = new FileDocumentStore(join(dir, 'store')); // reads what the graph wrote, from outside
  });
  afterEach(async () => {
    await Promise.all(controls.splice(0).map((c) => c.stop()));
    await core?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const heartbeats = () => store.list<OrchestratorHeartbeat>(HEARTBEATS_COLLECTION);

  /**
   * Proof that nothing ticks any more, without a fixed sleep: a control poller with the same interval,
   * writing elsewhere, must tick several times while the stopped ones write nothing.
   */
  async function expectNoTicksDuringControlTicks(): Promise<void> {
    const before = await heartbeats();
    const control = new OrchestratorPoller({ name: 'control', pollIntervalInMillis: INTERVAL }, { instanceId: 'test', term: 0 }, new FileDocumentStore(join(dir, 'control')));
    controls.push(control);
    control.start();
    await waitUntil(() => control.tickCount >= 5, { what: 'five control ticks' });
    expect(await heartbeats()).toEqual(before);
  }

  it('stores a heartbeat per orchestrator on every tick and lists the last one', async () => {
    core = await startCore(testConfig(dir, [ORCHESTRATORS, '--ha.instanceId=node-a']));
    const first = await waitUntil(async () => ((await heartbeats()).length === 2 ? heartbeats() : undefined), { what: 'two heartbeats' });
    expect(first.map((h) => ({ ...h, at: 'x' }))).toEqual([
      { id: 'alpha', orchestrator: 'alpha', instanceId: 'node-a', term: 0, at: 'x' },
      { id: 'beta', orchestrator: 'beta', instanceId: 'node-a', term: 0, at: 'x' },
    ]);
    await waitUntil(async () => (await store.get<OrchestratorHeartbeat>(HEARTBEATS_COLLECTION, 'alpha'))!.at > first[0].at, { what: 'a later tick' });

    const { status, body } = await request('GET', `${core.url}/rest/v1/orchestrators`);
    expect(status).toBe(200);
    expect(body).toEqual([
      { name: 'alpha', pollIntervalInMillis: INTERVAL, running: true, ticks: expect.any(Number), lastTick: { instanceId: 'node-a', at: expect.any(String), term: 0 } },
      { name: 'beta', pollIntervalInMillis: INTERVAL, running: true, ticks: expect.any(Number), lastTick: { instanceId: 'node-a', at: expect.any(String), term: 0 } },
    ]);
  });

  it('stops ticking once the graph is closed', async () => {
    core = await startCore(testConfig(dir, [ORCHESTRATORS]));
    await waitUntil(async () => (await heartbeats()).length === 2, { what: 'two heartbeats' });
    await core.close();
    await expectNoTicksDuringControlTicks();
  });

  it('stops ticking when the HaContext signal aborts, before the graph is closed', async () => {
    const leadership = new AbortController();
    const haContext = { instanceId: 'leader-1', term: 42, since: new Date().toISOString(), signal: leadership.signal };
    core = await startCore(testConfig(dir, [ORCHESTRATORS]), { haContext });
    await waitUntil(async () => (await heartbeats()).length === 2, { what: 'two heartbeats' });
    expect((await heartbeats()).map((h) => [h.instanceId, h.term])).toEqual([['leader-1', 42], ['leader-1', 42]]);

    leadership.abort();
    const url = `${core.url}/rest/v1/orchestrators`;
    await waitUntil(async () => ((await request('GET', url)).body as { running: boolean }[]).every((o) => !o.running), { what: 'pollers stopped' });
    await expectNoTicksDuringControlTicks();
    expect((await request('GET', `${core.url}/rest/v1/applications`)).status).toBe(200); // the graph itself is still up
  });

  it('does not start when leadership ended before the graph was up', async () => {
    const haContext = { instanceId: 'late', term: 7, since: new Date().toISOString(), signal: AbortSignal.abort() };
    core = await startCore(testConfig(dir, [ORCHESTRATORS]), { haContext });
    await expectNoTicksDuringControlTicks();
    expect(await heartbeats()).toEqual([]);
  });
});
