import { describe, expect, it } from '@jest/globals';
import { Mailbox } from './mailbox.js';

describe('Mailbox: the election loop\'s one inbox', () => {
  it('delivers a shutdown once, whatever the state, and keeps interrupting waits after it', () => {
    const mailbox = new Mailbox();
    expect(mailbox.take(false)).toBeNull();
    mailbox.requestShutdown();
    expect(mailbox.shutdownSignal.aborted).toBe(true);
    expect(mailbox.take(false)).toEqual({ type: 'shutdown' });
    expect(mailbox.take(false)).toBeNull();
    expect(mailbox.shuttingDown).toBe(true);
    expect(mailbox.wakeSignal.aborted).toBe(true); // never re-armed: every later pause ends at once
  });

  it('a shutdown goes before a pending step-down', () => {
    const mailbox = new Mailbox();
    mailbox.requestStepDown('c');
    mailbox.requestShutdown();
    expect(mailbox.take(true)).toEqual({ type: 'shutdown' });
  });

  it('a step-down reaches a lock holder once, with its candidate; without the lock it is dropped', () => {
    const mailbox = new Mailbox();
    mailbox.requestStepDown('c');
    expect(mailbox.wakeSignal.aborted).toBe(true);
    expect(mailbox.take(true)).toEqual({ type: 'step-down', candidate: 'c' });
    expect(mailbox.wakeSignal.aborted).toBe(false); // re-armed once taken
    expect(mailbox.take(true)).toBeNull();
    mailbox.requestStepDown();
    expect(mailbox.take(false)).toBeNull();
    expect(mailbox.take(true)).toBeNull();
  });
});
