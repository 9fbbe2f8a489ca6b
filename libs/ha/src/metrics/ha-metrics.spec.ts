import { describe, expect, it } from '@jest/globals';
import { ConsulUnavailableError } from '../consul/consul-errors.js';
import { FakeClock } from '../testing/fake-clock.js';
import { InMemoryConsul } from '../testing/in-memory-consul.js';
import { HaMetrics } from './ha-metrics.js';
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
