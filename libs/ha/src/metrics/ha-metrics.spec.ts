import { describe, expect, it } from '@jest/globals';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConsulUnavailableError } from '../consul/consul-errors.js';
import { freshLease } from '../election/lease.js';
import { FakeClock } from '../testing/fake-clock.js';
import { InMemoryConsul } from '../testing/in-memory-consul.js';
import { HaMetrics } from './ha-metrics.js';
import { CONSUL_OPERATIONS } from './instrumented-consul.js';
import { TransitionHistory } from './transition-history.js';

/** The value of one sample line in Prometheus text (`name{labels} value`), undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('HaMetrics', () => {
  it('exports build info, process metrics with event-loop lag, and the registry content type', async () => {
    const metrics = new HaMetrics();
    const text = await metrics.text();
    expect(text).toMatch(/^a4c_ha_build_info\{version="[^"]+",node="v\d+\.\d+\.\d+"\} 1$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    expect(metrics.contentType).toBe(metrics.registry.contentType);
  });

  it('a4c_ha_leader and a4c_ha_acting are 1 exactly while the term says acting, a lapse included (not the election state)', async () => {
    let acting = false;
    const metrics = new HaMetrics(Date.now, Date.now, { lease: () => ({ provenAgoMs: null, remainingMs: 0, leaseMs: 1 }), acting: () => acting, health: async () => ({}) });
    const lease = freshLease(0, 0);
    metrics.recordTransition({ kind: 'activating', sessionId: 's', term: 1, since: 0, startedAt: 0, lease, graphUp: true, takeover: { safe: true, reason: '', safeAt: 0, peer: null } }, { kind: 'leader', sessionId: 's', term: 1, since: 0, lease });
    expect([sample(await metrics.text(), 'a4c_ha_leader'), sample(await metrics.text(), 'a4c_ha_acting')]).toEqual([0, 0]); // leader, lease lapsed
    acting = true;
    expect([sample(await metrics.text(), 'a4c_ha_leader'), sample(await metrics.text(), 'a4c_ha_acting')]).toEqual([1, 1]);
    expect(sample(await metrics.text(), 'a4c_ha_state{state="leader"}')).toBe(1);
  });

  it('reads lease, acting and health indicators at scrape time from its sources', async () => {
    const before = await new HaMetrics().text();
    expect(sample(before, 'a4c_ha_acting')).toBe(0);
    expect(sample(before, 'a4c_ha_lease_proven_age_seconds')).toBeNaN();
    let lease = { provenAgoMs: 1_500 as number | null, remainingMs: 6_000, leaseMs: 7_500 };
    let elasticsearchUp = true;
    const metrics = new HaMetrics(Date.now, Date.now, {
      lease: () => lease,
      acting: () => true,
      onFailsafe: () => true,
      health: async () => ({ disk: { up: true }, directory: { up: true }, elasticsearch: { up: elasticsearchUp } }),
    });
    const text = await metrics.text();
    expect(sample(text, 'a4c_ha_acting')).toBe(1);
    expect(sample(before, 'a4c_ha_failsafe_active')).toBe(0);
    expect(sample(text, 'a4c_ha_failsafe_active')).toBe(1);
    expect(sample(text, 'a4c_ha_lease_proven_age_seconds')).toBe(1.5);
    expect(sample(text, 'a4c_ha_lease_remaining_seconds')).toBe(6);
    expect(sample(text, 'a4c_ha_lease_duration_seconds')).toBe(7.5);
    expect(sample(text, 'a4c_ha_health_indicator_up{indicator="elasticsearch"}')).toBe(1);
    lease = { provenAgoMs: null, remainingMs: 0, leaseMs: 7_500 };
    elasticsearchUp = false;
    const later = await metrics.text();
    expect(sample(later, 'a4c_ha_lease_proven_age_seconds')).toBeNaN();
    expect(sample(later, 'a4c_ha_lease_remaining_seconds')).toBe(0);
    expect(sample(later, 'a4c_ha_health_indicator_up{indicator="elasticsearch"}')).toBe(0);
    expect(sample(later, 'a4c_ha_health_indicator_up{indicator="disk"}')).toBe(1);
  });

  it('times Consul calls by operation and outcome, blocking reads apart', async () => {
    const metrics = new HaMetrics();
    const inner = new InMemoryConsul(new FakeClock());
    const consul = metrics.instrumentConsul(inner);
    await consul.readKey('k');
    inner.failing.add('createSession');
    await expect(consul.createSession({ name: 'x', serviceCheckIds: [], ttlSeconds: 10, lockDelaySeconds: 0 })).rejects.toBeInstanceOf(ConsulUnavailableError);
    await consul.listServiceInstances('a4c');
    const text = await metrics.text();
    expect(sample(text, 'a4c_ha_consul_request_duration_seconds_count{operation="read_key",outcome="ok"}')).toBe(1);
    expect(sample(text, 'a4c_ha_consul_request_duration_seconds_count{operation="create_session",outcome="error"}')).toBe(1);
    expect(sample(text, 'a4c_ha_consul_request_duration_seconds_count{operation="list_service_instances",outcome="ok"}')).toBe(1);
  });

  it('counts a failed Consul call in a4c_ha_consul_errors_total with the operation label of the duration histogram', async () => {
    const metrics = new HaMetrics();
    const inner = new InMemoryConsul(new FakeClock());
    const consul = metrics.instrumentConsul(inner);
    inner.failing.add('*');
    const session = { name: 'x', serviceCheckIds: [], ttlSeconds: 10, lockDelaySeconds: 0 };
    const registration = { id: 'a', name: 'a4c', address: '127.0.0.1', port: 1, checkId: 'c', checkUrl: 'http://127.0.0.1:1/', checkIntervalMs: 1000, checkTimeoutMs: 1000, tlsSkipVerify: false };
    const calls = [
      () => consul.registerService(registration),
      () => consul.deregisterService('a'),
      () => consul.checkStatus('c'),
      () => consul.createSession(session),
      () => consul.renewSession('s'),
      () => consul.destroySession('s'),
      () => consul.acquire('k', 's', 'v'),
      () => consul.release('k', 's', 'v'),
      () => consul.readKey('k'),
      () => consul.readKey('k', { index: 5, waitMs: 1 }),
      () => consul.listServiceInstances('a4c'),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(ConsulUnavailableError);
    const text = await metrics.text();
    const labels = (series: string) => [...text.matchAll(new RegExp(`^${series}\\{operation="([a-z_]+)"(?:,outcome="error")?\\} (\\d+)$`, 'gm'))].filter((m) => m[2] === '1').map((m) => m[1]).sort();
    expect(labels('a4c_ha_consul_errors_total')).toEqual([...CONSUL_OPERATIONS].sort());
    expect(labels('a4c_ha_consul_request_duration_seconds_count')).toEqual([...CONSUL_OPERATIONS].sort());
  });

  it('an aborted Consul call is timed as aborted and not counted as an error', async () => {
    const metrics = new HaMetrics();
    const inner = new InMemoryConsul(new FakeClock());
    const consul = metrics.instrumentConsul(inner);
    const abort = new AbortController();
    const watch = consul.readKey('k', { index: 1_000, waitMs: 60_000, signal: abort.signal });
    abort.abort();
    await expect(watch).rejects.toMatchObject({ name: 'AbortError' });
    const text = await metrics.text();
    expect(sample(text, 'a4c_ha_consul_request_duration_seconds_count{operation="watch_key",outcome="aborted"}')).toBe(1);
    expect(sample(text, 'a4c_ha_consul_errors_total{operation="watch_key"}')).toBe(0);
  });

  it('on the application registry: the plugin metrics join it and leave default metrics to the application', async () => {
    const application = new Registry();
    collectDefaultMetrics({ register: application });
    const metrics = new HaMetrics(undefined, undefined, null, { registry: application });
    expect(metrics.registry).toBe(application);
    const text = await application.metrics();
    expect(text).toMatch(/^a4c_ha_leader 0$/m);
    expect(text.match(/^# TYPE process_resident_memory_bytes /gm)).toHaveLength(1);
  });

  it('its own registry without default metrics merges into an application registry that has them', () => {
    const application = new Registry();
    collectDefaultMetrics({ register: application });
    expect(() => Registry.merge([new HaMetrics().registry, application])).toThrow(/process_/); // why the option exists
    const merged = Registry.merge([new HaMetrics(undefined, undefined, null, { defaultMetrics: false }).registry, application]);
    expect(merged.getSingleMetric('a4c_ha_leader')).toBeDefined();
    expect(merged.getSingleMetric('process_resident_memory_bytes')).toBeDefined();
  });

  it('records state changes in the history with their reason and term, and skips same-kind updates', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const metrics = new HaMetrics(() => now);
    metrics.recordTransition({ kind: 'backup' }, { kind: 'acquiring', sessionId: 's' } as never, 'check passing');
    now += 1_000;
    metrics.recordTransition({ kind: 'acquiring', sessionId: 's' } as never, { kind: 'activating', sessionId: 's', term: 7, since: now } as never, 'lock acquired');
    metrics.recordTransition({ kind: 'backup' }, { kind: 'backup' }, 'still waiting');
    expect(metrics.history.list()).toEqual([
      { at: '2026-01-01T00:00:00.000Z', from: 'backup', to: 'acquiring', reason: 'check passing', term: 0 },
      { at: '2026-01-01T00:00:01.000Z', from: 'acquiring', to: 'activating', reason: 'lock acquired', term: 7 },
    ]);
  });

  it('keeps only the most recent transitions', () => {
    const history = new TransitionHistory(3);
    for (let n = 1; n <= 5; n++) history.record({ at: `t${n}`, from: 'backup', to: 'acquiring', reason: `r${n}`, term: n });
    expect(history.list().map((r) => r.term)).toEqual([3, 4, 5]);
  });
});
