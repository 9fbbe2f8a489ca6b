import { describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { linkedSignal } from './linked-signal.js';

describe('linkedSignal', () => {
  it('aborts when any source aborts', () => {
    const first = new AbortController();
    const second = new AbortController();
    const link = linkedSignal([first.signal, second.signal]);
    expect(link.signal.aborted).toBe(false);
    second.abort();
    expect(link.signal.aborted).toBe(true);
  });

  it('is aborted at once when a source already is', () => {
    const aborted = AbortSignal.abort();
    expect(linkedSignal([new AbortController().signal, aborted]).signal.aborted).toBe(true);
  });

  it('leaves no listener on a long-lived source once disposed (the leak AbortSignal.any has)', () => {
    const longLived = new AbortController();
    for (let step = 0; step < 1_000; step += 1) {
      const stepController = new AbortController();
      const link = linkedSignal([longLived.signal, stepController.signal]);
      stepController.abort();
      link.dispose();
    }
    expect(getEventListeners(longLived.signal, 'abort')).toHaveLength(0);
  });

  it('stops following its sources once disposed', () => {
    const source = new AbortController();
    const link = linkedSignal([source.signal]);
    link.dispose();
    source.abort();
    expect(link.signal.aborted).toBe(false);
  });
});
