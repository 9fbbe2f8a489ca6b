import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '../testing/fake-clock.js';
import { InMemoryConsul } from '../testing/in-memory-consul.js';
import { PartitionableConsul } from '../testing/partitionable-consul.js';
import { FailsafeMember } from './failsafe-member.js';

const KEY = 'service/a4c/leader';
const request = { leaderId: 'a', sessionId: 'sa', term: 1, epoch: 3 };
const idle = () => ({ holdsLock: false, acting: false });

function member() {
  const clock = new FakeClock();
  const consul = new InMemoryConsul(clock);
  const link = new PartitionableConsul(consul);
  const m = new FailsafeMember({ consul: link, clock, key: KEY, selfId: 'b', enabled: true, timings: { promiseMs: 11_000, consulCheckMs: 500 } });
  return { clock, consul, link, m };
}

/** The member's record and promise (rule 13, docs/architecture.md), over a partitionable in-memory Consul. */
describe('FailsafeMember', () => {
  it('refuses while it reaches Consul, and confirms once it cannot: its promise binds for lease + margin', async () => {
    const { clock, link, m } = member();
    expect(await m.confirm(request, idle)).toEqual({ confirmed: false, reason: 'this instance reaches consul (the key is free): the leader should too' });
    link.cut = true;
    const answer = await m.confirm(request, idle);
    expect(answer).toEqual({ confirmed: true, promisedUntil: clock.now() + 11_000 });
    expect(m.promiseBinds(clock.now() + 10_999)).toBe(true);
    expect(m.promiseBinds(clock.now() + 11_000)).toBe(false);
  });

  it('a Consul that does not answer within the bound counts as unreachable (quorum lost)', async () => {
    const { clock, link, m } = member();
    link.hanging.add('readKey');
    const answering = m.confirm(request, idle);
    await clock.advance(500);
    expect(await answering).toMatchObject({ confirmed: true });
  });

  it('judges again after its read: an instance that took the lock meanwhile refuses', async () => {
    const { clock, link, m } = member();
    link.hanging.add('readKey');
    let holds = false;
    const answering = m.confirm(request, () => ({ holdsLock: holds, acting: false }));
    holds = true;
    await clock.advance(500);
    expect(await answering).toEqual({ confirmed: false, reason: 'this instance holds the lock' });
    expect(m.promiseBinds(clock.now())).toBe(false);
  });

  it('the promise ends early only when rule 10 proves that leader stopped: a clean release or its own word', async () => {
    const { clock, consul, link, m } = member();
    link.cut = true;
    await m.confirm(request, idle);
    await m.confirm({ ...request, leaderId: 'z', sessionId: 'sz' }, idle);
    m.leaderStopped('a');
    expect(m.promiseBinds(clock.now())).toBe(true); // z's promise still binds
    m.leaderStopped('z');
    expect(m.promiseBinds(clock.now())).toBe(false);
    await m.confirm(request, idle);
    consul.operatorWrite(KEY, { session: null, value: JSON.stringify({ id: 'a', url: 'http://a', address: 'a', since: '', term: 1, released: true }) });
    m.keySeen(consul.entry(KEY) ?? null);
    expect(m.promiseBinds(clock.now())).toBe(false);
  });

  it('remembers what it saw: the key held by another session since the term began is a refusal', async () => {
    const { link, m } = member();
    m.keySeen({ session: 'sa', lockIndex: 1, value: null, modifyIndex: 20 });
    m.keySeen({ session: 'sc', lockIndex: 2, value: null, modifyIndex: 21 });
    link.cut = true;
    expect(await m.confirm(request, idle)).toEqual({ confirmed: false, reason: 'the key was seen held by session sc (lock index 2) since term 1 began' });
    // an absent key after a term was seen (state loss, delete) counts as seen free
    const other = member();
    other.m.keySeen({ session: 'sa', lockIndex: 4, value: null, modifyIndex: 20 });
    other.m.keySeen(null);
    other.link.cut = true;
    expect(await other.m.confirm({ ...request, term: 4 }, idle)).toEqual({ confirmed: false, reason: 'the key was seen free since term 4 began' });
  });
});
