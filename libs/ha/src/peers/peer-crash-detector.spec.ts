import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from '../testing/fake-clock.js';
import { InMemoryConsul } from '../testing/in-memory-consul.js';
import type { LeaderValue } from '../election/leader-value.js';
import type { PeerProbePort } from '../election/ports.js';
import type { LeaderWatchPort, WatchOutcome } from './leader-watch.port.js';
import { PeerCrashDetector, type SeenHolder } from './peer-crash-detector.js';

const KEY = 'service/a4c/leader';
type ProbeAnswer = Awaited<ReturnType<PeerProbePort['probe']>>;

/** A watch the test ends by hand: each call waits until the test says how it ended (or the signal aborts). */
class ScriptedWatch implements LeaderWatchPort {
  readonly calls: string[] = [];
  private pending: ((outcome: WatchOutcome) => void) | null = null;

  watch(holder: { id: string; url: string }, signal: AbortSignal): Promise<WatchOutcome> {
    this.calls.push(holder.id);
    return new Promise((resolve) => {
      this.pending = resolve;
      signal.addEventListener('abort', () => resolve('ended'), { once: true });
    });
  }

  get open(): boolean {
    return this.pending !== null;
  }

  end(outcome: WatchOutcome): void {
    const pending = this.pending;
    this.pending = null;
    pending?.(outcome);
  }
}

class ScriptedProbe implements PeerProbePort {
  answer: ProbeAnswer = 'refused';
  readonly asked: string[] = [];
  async probe(peer: { id: string; url: string }): Promise<ProbeAnswer> {
    this.asked.push(peer.url);
    return this.answer;
  }
}

describe('PeerCrashDetector (rule 14; fake clock, in-memory consul)', () => {
  let clock: FakeClock;
  let consul: InMemoryConsul;
  let watch: ScriptedWatch;
  let probe: ScriptedProbe;
  let freed: string[];
  let detector: PeerCrashDetector | null = null;

  afterEach(() => detector?.stop());

  /** Leader `a` holds the key with a live session; this instance is `b`, watching it. */
  async function setup(): Promise<SeenHolder> {
    clock = new FakeClock();
    consul = new InMemoryConsul(clock);
    watch = new ScriptedWatch();
    probe = new ScriptedProbe();
    freed = [];
    await consul.registerService({ id: 'a4c-a', name: 'a4c', address: '10.0.0.1', port: 8088, checkId: 'service:a4c-a', checkUrl: 'http://10.0.0.1:8088/rest/admin/health', checkIntervalMs: 5_000, checkTimeoutMs: 5_000, tlsSkipVerify: false });
    consul.setCheck('service:a4c-a', 'passing');
    const sessionId = await consul.createSession({ name: 'a4c-leader-a', serviceCheckIds: ['service:a4c-a'], ttlSeconds: 60, lockDelaySeconds: 0 });
    const value: LeaderValue = { id: 'a', address: '10.0.0.1:8088', url: 'http://10.0.0.1:8088', since: '2026-01-01T00:00:00.000Z', term: 3 };
    await consul.acquire(KEY, sessionId, JSON.stringify(value));
    detector = new PeerCrashDetector({
      consul,
      clock,
      watch,
      probe,
      leaderKey: KEY,
      instanceId: 'b',
      retryBaseMs: 100,
      retryCapMs: 2_000,
      onError: () => undefined,
      random: () => 1,
    });
    detector.onFreed((reason) => freed.push(reason));
    detector.start();
    const holder = { sessionId, value };
    detector.seen(holder);
    await clock.advance(0);
    return holder;
  }

  const destroys = () => consul.calls.filter((c) => c.startsWith('destroySession'));

  it('the watch breaks and the address refuses: the session seen holding the key is destroyed, once', async () => {
    const holder = await setup();
    expect(watch.calls).toEqual(['a']);
    watch.end('broken');
    await clock.advance(0);
    expect(probe.asked).toEqual(['http://10.0.0.1:8088']);
    expect(destroys()).toEqual([`destroySession ${holder.sessionId}`]);
    expect(consul.entry(KEY)).toMatchObject({ session: null }); // free: the race starts; the value stays
    expect(JSON.parse(consul.entry(KEY)!.value!)).toMatchObject({ id: 'a', term: 3 });
    expect(freed).toEqual(['lock freed by b: a refuses connections at http://10.0.0.1:8088']);
    // the same holder seen again (a read before the key changed) is never watched nor destroyed again
    detector!.seen(holder);
    await clock.advance(10_000);
    expect(destroys()).toHaveLength(1);
    expect(watch.calls).toEqual(['a']);
  });

  it('the watch breaks but the address times out (frozen, cut off: no refusal): nothing is destroyed', async () => {
    await setup();
    probe.answer = 'unknown';
    watch.end('broken');
    await clock.advance(0);
    expect(probe.asked).toHaveLength(1);
    expect(destroys()).toEqual([]);
    expect(freed).toEqual([]);
    // Consul's detection stays in charge; the peer watches again after a pause
    await clock.advance(200);
    expect(watch.calls).toEqual(['a', 'a']);
  });

  it('the key moved to another session meanwhile: nothing is destroyed', async () => {
    const holder = await setup();
    // between the break and the re-read, the dead holder's session went and another instance took the key
    await consul.destroySession(holder.sessionId);
    await consul.registerService({ id: 'a4c-c', name: 'a4c', address: '10.0.0.3', port: 8088, checkId: 'service:a4c-c', checkUrl: 'x', checkIntervalMs: 5_000, checkTimeoutMs: 5_000, tlsSkipVerify: false });
    consul.setCheck('service:a4c-c', 'passing');
    const other = await consul.createSession({ name: 'a4c-leader-c', serviceCheckIds: ['service:a4c-c'], ttlSeconds: 60, lockDelaySeconds: 0 });
    await consul.acquire(KEY, other, '{"id":"c","url":"http://10.0.0.3:8088"}');
    consul.calls.length = 0;
    watch.end('broken');
    await clock.advance(0);
    expect(destroys()).toEqual([]);
    expect(consul.entry(KEY)?.session).toBe(other);
    expect(freed).toEqual([]);
  });

  it('a restarted instance already answers at the same address: not taken for the dead one, nothing is done', async () => {
    await setup();
    probe.answer = 'not-acting'; // a new process, with a new session, answers the leader probe as itself
    watch.end('broken');
    await clock.advance(0);
    expect(destroys()).toEqual([]);
    expect(freed).toEqual([]);
  });

  it('a holder that answers the watch (it stopped holding) is not probed; a long hold is renewed at once', async () => {
    await setup();
    await clock.advance(5_000);
    watch.end('ended');
    await clock.advance(0);
    expect(probe.asked).toEqual([]);
    expect(watch.calls).toEqual(['a', 'a']);
    watch.end('ended'); // a quick answer: the next watch waits (no busy loop)
    await clock.advance(0);
    expect(watch.calls).toEqual(['a', 'a']);
    await clock.advance(100);
    expect(watch.calls).toEqual(['a', 'a', 'a']);
  });

  it('this instance itself, or a value marked released, is never watched', async () => {
    const holder = await setup();
    detector!.seen({ ...holder, sessionId: 's-self', value: { ...holder.value, id: 'b' } });
    await clock.advance(0);
    detector!.seen({ ...holder, sessionId: 's-rel', value: { ...holder.value, released: true } });
    await clock.advance(10_000);
    expect(watch.calls).toEqual(['a']);
    expect(destroys()).toEqual([]);
  });
});
