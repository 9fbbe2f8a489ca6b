import { describe, expect, it, jest } from '@jest/globals';
import type { A4cInstance } from '../support/a4c-cluster.js';
import { bound, FailoverScenario, TIMINGS as T } from '../support/failover-scenario.js';
import { failoverSuite } from '../support/failover-suite.js';
import { waitUntil } from '../support/wait-until.js';

// Process faults on the leader (and one on a backup): real signals to real processes behind HAProxy,
// with the load generator writing and reading through the proxy during each fault.
jest.setTimeout(150_000);

/** Polls the leader routes of a just-resumed instance until it reports backup; every answer with when it was sent. */
/**
 * Asks an instance its leader probe and a full-graph route until it is a backup. `status` is 200 only
 * for answers this instance gave as leader: a request it forwarded to the acting leader (X-A4C-Served-By
 * names another instance) is not its own answer.
 */
async function probeLeaderRoutesUntilBackup(instance: A4cInstance): Promise<Array<{ sentAt: number; route: string; status: number }>> {
  const answers: Array<{ sentAt: number; route: string; status: number }> = [];
  const ask = async (route: string) => {
    const sentAt = Date.now();
    const status = await fetch(`${instance.url}${route}`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => (r.status === 200 && route.startsWith('/rest/v1/') && r.headers.get('x-a4c-served-by') !== instance.instanceId ? 0 : r.status),
      () => 0,
    );
    answers.push({ sentAt, route, status });
  };
  await waitUntil(
    async () => {
      await Promise.all([ask('/rest/admin/ha/leader'), ask('/rest/v1/applications')]);
      return (await instance.status()).role === 'backup' && answers.length >= 10;
    },
    { timeoutMs: 20_000, intervalMs: 20, what: 'the resumed leader back to backup' },
  );
  return answers;
}

describe('failover e2e: process faults (consul-dev, Elasticsearch, 3 A4C servers, HAProxy)', () => {
  const suite = failoverSuite();

  // Crash: the Consul check gets "connection refused" at its next run (<= 1 period), the session is
  // invalidated, a backup's blocking watch fires, it acquires and boots the graph; HAProxy sees it at
  // its next probe. Requests to the dead server are refused and redispatched (retry-on conn-failure).
  const crashBound = () =>
    bound(['check period', T.healthCheckPeriodMs], ['activation', T.activationAllowanceMs], ['proxy probe', T.proxyDetectMs], ['margin', T.marginMs]);

  it('leader SIGKILL: a backup takes over within one check period + activation', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'leader SIGKILL', es: suite.es });
    const old = await suite.scenario.leader();
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    await old.process.stop('SIGKILL');
    const killedAt = Date.now();
    const recovered = await suite.scenario.waitForTraffic(killedAt);
    process.stdout.write(`[e2e] leader SIGKILL: traffic again ${recovered} ms after the kill\n`);
    const verdict = await suite.scenario.finish(crashBound());
    expect(verdict.intervals.filter((i) => i.endedBy === 'exit').map((i) => i.port)).toEqual([old.port]);
  });

  it('leader SIGTERM: a clean handover (graph closed before the lock is released), exit 0', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'leader SIGTERM', es: suite.es });
    const old = await suite.scenario.leader();
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    old.signal('SIGTERM');
    expect(await old.process.exited()).toBe(0);
    // no crash detection: drain + close + release, the backup's watch fires at once, activation, probe
    await suite.scenario.finish(bound(['drain+close', 1_000], ['activation', T.activationAllowanceMs], ['proxy probe', T.proxyDetectMs], ['margin', T.marginMs]));
    expect(old.process.output()).toMatch(/leader -> deactivating: shutdown requested/);
  });

  it('step-down API: the leader hands over and stays out for the hold-off', async () => {
    // with HA on, step-down works only with a configured admin token (403 without one, 401 without it)
    const adminToken = 'e2e-step-down-token';
    const authorised = { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } };
    suite.scenario = await FailoverScenario.start({ name: 'step-down API', es: suite.es, instanceOptions: () => ({ args: [`--ha.adminToken=${adminToken}`] }) });
    const old = await suite.scenario.leader();
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    expect((await fetch(`${old.url}/rest/admin/ha/step-down`, { method: 'POST' })).status).toBe(401);
    const response = await fetch(`${old.url}/rest/admin/ha/step-down`, authorised);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ steppingDown: true, instanceId: old.instanceId });
    // the 202 does not wait: the leader first lets its in-flight requests finish, then releases
    await waitUntil(async () => (await old.status()).role !== 'leader' || undefined, { timeoutMs: 10_000, intervalMs: 50, what: 'the leader stepping down' });
    const next = await suite.scenario.waitForStableLeader();
    expect(next).not.toBe(old);
    expect((await old.status()).role).toBe('backup');
    // a backup asked to step down refuses with 409 and names the leader
    const refused = await fetch(`${old.url}/rest/admin/ha/step-down`, authorised);
    expect(refused.status).toBe(409);
    await suite.scenario.finish(bound(['drain+close', 1_000], ['activation', T.activationAllowanceMs], ['proxy probe', T.proxyDetectMs], ['margin', T.marginMs]));
    expect(old.process.output()).toMatch(/leader -> deactivating: stepping down on request/);
  });

  it('leader SIGSTOP, SIGCONT after another leads: the old leader demotes in its first step and never serves leader routes after that', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'leader SIGSTOP then SIGCONT', es: suite.es });
    const old = await suite.scenario.leader();
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    old.signal('SIGSTOP');
    const stoppedAt = Date.now();
    // the frozen leader's check hangs until its 1 s timeout (not refused): critical, session invalidated
    const others = suite.scenario.cluster.live().filter((i) => i !== old); // probing the frozen one would hang
    const next = await waitUntil(async () => (await Promise.all(others.map(async (i) => ((await i.isActiveLeader()) ? i : undefined)))).find(Boolean), {
      timeoutMs: 30_000,
      intervalMs: 20,
      what: 'another leader',
    });
    process.stdout.write(`[e2e] leader SIGSTOP: ${next.instanceId} leads ${Date.now() - stoppedAt} ms after the stop\n`);
    await suite.scenario.waitForTraffic(Date.now());
    old.signal('SIGCONT');
    const contAt = Date.now();
    const answers = await probeLeaderRoutesUntilBackup(old);
    // The resumed instance learns that its lock is gone from the first event it processes (its watch
    // answer, already in its socket buffer, or an overdue timer). Requests read in that same first
    // batch may still be answered as leader: a known limitation, reported with the test below. What is
    // guaranteed and checked here: once it has logged its demotion, it never answers 200 again, and
    // the demotion comes within one elector step of SIGCONT.
    const demotedAt = old.lines.find((l) => l.at >= contAt && /leader -> deactivating/.test(l.text))?.at;
    expect(demotedAt).toBeDefined();
    expect(demotedAt! - contAt).toBeLessThan(T.marginMs);
    const lateLeaderAnswers = answers.filter((a) => a.status === 200 && a.sentAt > demotedAt! + T.timelineJitterMs);
    expect(lateLeaderAnswers).toEqual([]);
    const early = answers.filter((a) => a.status === 200).length;
    process.stdout.write(`[e2e] leader SIGSTOP: demoted ${demotedAt! - contAt} ms after SIGCONT; ${early} of ${answers.length} answers on leader routes were 200 (all before the demotion)\n`);
    // A frozen process cannot close its graph: from SIGCONT until its first elector step (its timers are
    // all overdue, so that step sees the renew deadline passed and demotes) plus drain and close, the
    // old graph is still open while the new one runs. That is the documented overlap; with lock-delay 0
    // nothing else bounds it, so we bound it by what the first step needs: drain (requests accepted
    // before the freeze, answered by Elasticsearch in ms) and close, well under 1.5 s.
    const verdict = await suite.scenario.finish(
      bound(['check timeout', T.checkTimeoutMs], ['check period', T.healthCheckPeriodMs], ['activation', T.activationAllowanceMs], ['request timeout', T.requestTimeoutMs], ['margin', T.marginMs]),
      {
        allowedOverlap: { ms: T.drainTimeoutMs + T.closeAllowanceMs, why: 'a SIGSTOPped leader closes its graph only after SIGCONT: its first elector step + drain + close' },
        // the same limitation for background work: a poller tick already due at SIGCONT may run before
        // the elector's demotion (see the known-bug test); anything later than the demotion still fails
        toleratedStaleWrite: {
          accepts: (w) => w.instanceId === old.instanceId && w.at >= contAt - T.timelineJitterMs && w.at <= demotedAt! + T.timelineJitterMs,
          why: 'tick due at SIGCONT, before the demotion',
        },
      },
    );
    const oldAfterCont = verdict.intervals.find((i) => i.port === old.port && i.end > contAt);
    process.stdout.write(`[e2e] leader SIGSTOP: old graph closed ${oldAfterCont ? oldAfterCont.end - contAt : 0} ms after SIGCONT\n`);
    expect(old.process.output()).toMatch(/leader -> deactivating: demoting/);
  });

  // A leader frozen long enough to lose its session (check timeout) resumes believing it leads until it
  // processes the watch answer that arrived while it was frozen. Requests already queued in its socket
  // are read in the same event-loop batch: its lease (rule 9, counted on the monotonic clock, so lapsed
  // by the freeze) must refuse them (probe 503, no dispatch, no poller tick) until ownership is proven again.
  it('a resumed deposed leader never answers the leader probe for requests queued during the freeze', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'resumed deposed leader (stall guard)', es: suite.es, instances: 2 });
    const leaked: string[] = [];
    for (let cycle = 0; cycle < 5 && leaked.length === 0; cycle++) {
      const old = await suite.scenario.waitForStableLeader();
      const other = suite.scenario.cluster.live().find((i) => i !== old)!;
      old.signal('SIGSTOP');
      await waitUntil(() => other.isActiveLeader(), { timeoutMs: 20_000, intervalMs: 20, what: 'the other leading' });
      // queued in the frozen process's accept backlog, answered once it resumes
      const queued = Array.from({ length: 20 }, () =>
        fetch(`${old.url}/rest/admin/ha/leader`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status, () => 0),
      );
      old.signal('SIGCONT');
      const statuses = await Promise.all(queued);
      if (statuses.includes(200)) leaked.push(`cycle ${cycle}: ${statuses.filter((x) => x === 200).length}/20 queued probes answered 200 by the deposed leader`);
    }
    expect(leaked).toEqual([]);
  });

  it('a backup SIGSTOPped (its HTTP check hangs rather than fails): the leader is unaffected, the backup rejoins', async () => {
    suite.scenario = await FailoverScenario.start({ name: 'backup check hangs (SIGSTOP)', es: suite.es });
    const leader = await suite.scenario.leader();
    const backup = suite.scenario.cluster.live().find((i) => i !== leader)!;
    const load = suite.scenario.startLoad();
    await waitUntil(() => load.successesSince(0) >= 10 || undefined, { timeoutMs: 20_000, what: 'load flowing' });
    backup.signal('SIGSTOP');
    // consul-dev's check of the frozen backup times out (critical) and its session is invalidated
    const checkId = `service:a4c-${backup.instanceId}`;
    await waitUntil(async () => (await suite.scenario!.cluster.consul.control.state()).checks.find((c) => c.CheckID === checkId)?.Status === 'critical', {
      timeoutMs: 10_000,
      what: 'the frozen backup’s check critical',
    });
    backup.signal('SIGCONT');
    await suite.scenario.waitForStableLeader();
    expect(await suite.scenario.leader()).toBe(leader);
    // no failover at all: only ordinary latency (a write waits for Elasticsearch's 1 s refresh)
    await suite.scenario.finish(bound(['Elasticsearch refresh', 1_000], ['margin', T.marginMs]));
  });
});
