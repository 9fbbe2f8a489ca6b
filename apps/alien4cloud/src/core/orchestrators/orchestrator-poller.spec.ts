import { describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../../../test/support/wait-until.js';
import type { DocumentStore } from '../storage/document-store.js';
import { OrchestratorPoller } from './orchestrator-poller.js';

/** A store whose puts wait until the test lets them land. */
function heldStore(): { store: DocumentStore; pending: Array<() => void>; landed: number } {
  const held = { pending: [] as Array<() => void>, landed: 0 };
  const store = {
    put: () =>
      new Promise<void>((resolve) =>
        held.pending.push(() => {
          held.landed++;
          resolve();
        }),
      ),
  } as unknown as DocumentStore;
  return Object.assign(held, { store });
}

describe('OrchestratorPoller', () => {
  it('says running until the tick in flight when it was stopped has landed (CI saw a heartbeat land after running: false)', async () => {
    const held = heldStore();
    const poller = new OrchestratorPoller({ name: 'alpha', pollIntervalInMillis: 10 }, { instanceId: 'a', term: 1 }, held.store);
    poller.start();
    await waitUntil(() => held.pending.length === 1, { what: 'a tick in flight' });
    const stopped = poller.stop();
    expect(poller.running).toBe(true); // its write can still land
    held.pending.shift()!();
    await stopped;
    expect(poller.running).toBe(false);
    expect(held.landed).toBe(1);
    expect(held.pending).toEqual([]); // and no tick after it
  });
});
