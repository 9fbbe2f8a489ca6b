import { abortError } from '../../libs/ha/src/clock/clock.port.js';
import { ConsulUnavailableError } from '../../libs/ha/src/consul/consul-errors.js';
import type { CheckStatus, ServiceRegistration } from '../../libs/ha/src/consul/consul.port.js';
import type { InMemoryConsul } from '../../libs/ha/src/testing/in-memory-consul.js';
import type { Prng } from './prng.js';
import type { Scheduler } from './scheduler.js';
import type { SimServers } from './sim-servers.js';

/** Fault delays of one agent, drawn per call or per fault from the seed (docs/consul-behaviour.md §12.1). */
export const AGENT_DELAYS = {
  /** One way between an agent and the servers. */
  hopMs: [1, 15] as const,
  /** A held call without a leader fails after rpc_hold_timeout and its retry (P22: 7-14 s). */
  noLeaderMs: [7000, 14_000] as const,
  /** A new call from a cut-off agent fails after the dial timeout, or at once once it dropped the servers (P4). */
  cutCallMs: [0, 10_000] as const,
  /** A call in flight when the cut happens fails when its connection is found dead (P4, P6). */
  inFlightFailMs: [500, 15_000] as const,
};

interface Call<T> {
  settled: boolean;
  ok(value: T): void;
  fail(error: Error): void;
}

type Mode = 'up' | 'cut' | 'killed';

/**
 * The Consul agent of one simulated host (docs/consul-behaviour.md §12): local endpoints served from its
 * own memory, every other call forwarded to the servers with a hop delay each way; its HTTP checks run
 * on its own. Faults: cut off from the servers (local endpoints still answer, forwarded calls fail in
 * phases, the servers mark the node failed after the detection delay), killed (connection refused,
 * detected like a cut), graceful leave (the node deregistered, all its sessions destroyed) and restart
 * (with its data directory, or empty).
 */
export class SimAgent {
  private mode: Mode = 'up';
  /** Global time since which the agent has been up without a break (rule 13's shared outage is judged on it). */
  private upAt = 0;
  /** Bumped by every fault: a detection or rejoin scheduled for an older generation is void. */
  private generation = 0;
  readonly services = new Map<string, ServiceRegistration>();
  readonly localChecks = new Map<string, CheckStatus>();
  private readonly inFlight = new Set<Call<unknown>>();

  constructor(
    readonly node: string,
    private readonly scheduler: Scheduler,
    private readonly servers: SimServers,
    private readonly rng: Prng,
    /** What the agent's HTTP check sees at the service's health URL now. */
    private readonly probeService: (serviceId: string) => CheckStatus,
  ) {}

  get status(): Mode {
    return this.mode;
  }

  /** Global time since which forwarded calls have gone through without a break; null while cut off or killed. */
  get upSince(): number | null {
    return this.mode === 'up' ? this.upAt : null;
  }

  // ---- faults ----

  cut(detectMs: number): void {
    if (this.mode !== 'up') return;
    this.mode = 'cut';
    const generation = ++this.generation;
    for (const call of [...this.inFlight]) {
      this.scheduler.after(this.draw(AGENT_DELAYS.inFlightFailMs), () => call.fail(unavailable('rpc error making call: EOF (partition)')));
    }
    this.scheduler.after(detectMs, () => generation === this.generation && this.servers.nodeVerdict(this.node, 'critical'));
  }

  kill(detectMs: number): void {
    if (this.mode === 'killed') return;
    const wasUp = this.mode === 'up';
    this.mode = 'killed';
    const generation = ++this.generation;
    for (const call of [...this.inFlight]) call.fail(unavailable('read: connection reset by peer'));
    if (wasUp) this.scheduler.after(detectMs, () => generation === this.generation && this.servers.nodeVerdict(this.node, 'critical'));
  }

  /** `consul leave`: the node is deregistered and its sessions destroyed at once (P20), then the agent stops. */
  leave(): void {
    if (this.mode !== 'up') return;
    this.servers.leave(this.node);
    this.mode = 'killed';
    ++this.generation;
    for (const call of [...this.inFlight]) call.fail(unavailable('read: connection reset by peer'));
  }

  /** The cut heals, or a killed agent starts again: gossip rejoins after `rejoinMs`, then a full sync. */
  restore(rejoinMs: number, keepState = true): void {
    if (this.mode === 'up') return;
    if (this.mode === 'killed') {
      if (!keepState) this.services.clear();
      // P21: HTTP checks restart critical; with a data directory the services come back
      this.localChecks.clear();
      for (const service of this.services.values()) this.localChecks.set(service.checkId, 'critical');
    }
    this.mode = 'up';
    this.upAt = this.scheduler.now;
    const generation = ++this.generation;
    this.scheduler.after(rejoinMs, () => {
      if (generation !== this.generation) return;
      this.servers.nodeVerdict(this.node, 'passing');
      this.fullSync();
    });
  }

  // ---- the agent's HTTP API ----

  /** A local endpoint: answered from memory unless the agent is down. */
  local<T>(operation: string, answer: () => T): Promise<T> {
    if (this.mode === 'killed') return Promise.reject(refused(operation));
    return new Promise<T>((resolve) => this.scheduler.after(1, () => resolve(answer())));
  }

  /** P3: a register answers only after its sync attempt, which fails slowly while cut off. */
  registerService(service: ServiceRegistration): Promise<void> {
    if (this.mode === 'killed') return Promise.reject(refused('registerService'));
    this.services.set(service.id, service);
    if (!this.localChecks.has(service.checkId)) this.localChecks.set(service.checkId, 'critical');
    return this.syncAttempt('registerService', (state) => this.pushService(state, service));
  }

  deregisterService(serviceId: string): Promise<void> {
    if (this.mode === 'killed') return Promise.reject(refused('deregisterService'));
    const service = this.services.get(serviceId);
    this.services.delete(serviceId);
    if (service) this.localChecks.delete(service.checkId);
    return this.syncAttempt('deregisterService', (state) => state.deregisterService(serviceId));
  }

  /** A call the agent forwards to the servers (sessions, KV, catalog): fails as the faults say. */
  forward<T>(operation: string, call: (state: InMemoryConsul) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.mode === 'killed') return Promise.reject(refused(operation));
    return new Promise<T>((resolve, reject) => {
      const pending: Call<T> = {
        settled: false,
        ok: (value) => settle(() => resolve(value)),
        fail: (error) => settle(() => reject(error)),
      };
      const settle = (finish: () => void) => {
        if (pending.settled) return;
        pending.settled = true;
        this.inFlight.delete(pending as Call<unknown>);
        signal?.removeEventListener('abort', onAbort);
        finish();
      };
      const onAbort = () => pending.fail(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      this.inFlight.add(pending as Call<unknown>);
      if (this.mode === 'cut') {
        this.scheduler.after(this.draw(AGENT_DELAYS.cutCallMs), () => pending.fail(unavailable('rpc error getting client: failed to get conn: dial tcp: i/o timeout')));
        return;
      }
      // the request reaches the servers at once and its answer takes both hops back: one event per
      // call (the simulation's cost), with the answer as stale as two hops make it
      const generation = this.generation;
      if (!this.servers.quorum) {
        this.scheduler.after(this.draw(AGENT_DELAYS.noLeaderMs), () => pending.fail(unavailable('rpc error making call: No cluster leader', 500)));
        return;
      }
      call(this.servers.state).then(
        (value) => this.answer(generation, () => pending.ok(value)),
        (error: unknown) => this.answer(generation, () => pending.fail(error as Error)),
      );
    });
  }

  /** The answer travels back; a fault meanwhile loses it (the fault's handler fails the call). */
  private answer(generation: number, deliver: () => void): void {
    this.scheduler.after(this.draw(AGENT_DELAYS.hopMs) + this.draw(AGENT_DELAYS.hopMs), () => generation === this.generation && deliver());
  }

  private syncAttempt(operation: string, push: (state: InMemoryConsul) => Promise<void>): Promise<void> {
    return this.forward(operation, push).catch((error: unknown) => {
      if (this.mode === 'killed') throw error;
      // the agent only logs a failed sync (docs/consul-behaviour.md §6.1): the register itself succeeded
    });
  }

  private async pushService(state: InMemoryConsul, service: ServiceRegistration): Promise<void> {
    await state.registerServiceOn(this.node, service);
    state.setCheck(service.checkId, this.localChecks.get(service.checkId) ?? 'critical');
  }

  /** Anti-entropy after a rejoin: every local service and check status goes to the servers. */
  private fullSync(): void {
    if (this.mode !== 'up' || !this.servers.quorum) return;
    for (const service of this.services.values()) void this.pushService(this.servers.state, service).catch(() => undefined);
  }

  /**
   * One round of the agent's HTTP checks (the simulation runs every agent's round at each check period).
   * A status the servers do not have yet reaches them asynchronously (fact 16); anti-entropy is modelled
   * as a retry at every round while the agent reaches the servers.
   */
  checkRound(): void {
    if (this.mode === 'killed') return;
    for (const service of this.services.values()) {
      const status = this.probeService(service.id);
      this.localChecks.set(service.checkId, status);
      if (this.mode !== 'up' || !this.servers.quorum || this.servers.state.checks.get(service.checkId) === status) continue;
      const generation = this.generation;
      this.scheduler.after(this.draw(AGENT_DELAYS.hopMs), () => {
        if (generation !== this.generation || !this.servers.quorum || this.services.get(service.id) !== service) return;
        void this.pushService(this.servers.state, service).catch(() => undefined);
      });
    }
  }

  private draw(range: readonly [number, number]): number {
    return this.rng.int(range[0], range[1]);
  }
}

function unavailable(detail: string, status?: number): ConsulUnavailableError {
  return new ConsulUnavailableError('call', detail, status ?? 500);
}

function refused(operation: string): ConsulUnavailableError {
  return new ConsulUnavailableError(operation, 'connect ECONNREFUSED (agent down)');
}
