// The simulated cluster around the agents: three servers with one shared state, and the faults a real
// deployment suffers (§12): an agent cut off from the servers and healed (P1-P18), killed and restarted
// (P19, P21), leaving (P20), and the servers losing quorum (P22-P24). Each operation changes the agents'
// links at once; what the servers do about it (serfHealth, session invalidation, re-sync) happens
// after the configured delays, and only while they have a leader (P24).
import type { ConsulState } from '../state/consul-state.js';
import { SERF_ALIVE, SERF_FAILED } from '../state/check-registry.js';
import { SERF_CHECK_ID } from '../state/session-request.js';
import type { Agent } from './agent.js';
import { DEFAULT_FAULT_TIMINGS, type FaultTimings } from './fault-timings.js';
import { RecoverySchedule, type RecoveryStep, SERVERS_TARGET } from './recovery-plan.js';

export class ClusterError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface QuorumLoss {
  since: number;
  holdMs: number;
}

export class Cluster {
  readonly agents: ReadonlyMap<string, Agent>;
  quorumLoss: QuorumLoss | null = null;
  private readonly quorumWatchers = new Set<() => void>();
  /** Steps of a staggered recovery not run yet. */
  private readonly recovery = new RecoverySchedule();

  constructor(
    private readonly state: ConsulState,
    agents: Agent[],
    readonly timings: FaultTimings = { ...DEFAULT_FAULT_TIMINGS },
    /** Agents are clients forwarding to servers (error texts gain `rpc error making call: `), not a dev server. */
    readonly clientMode = false,
  ) {
    this.agents = new Map(agents.map((a) => [a.node, a]));
  }

  get first(): Agent {
    return this.agents.values().next().value as Agent;
  }

  agent(node: string): Agent {
    const agent = this.agents.get(node);
    if (agent === undefined) throw new ClusterError(404, `no agent ${JSON.stringify(node)} (agents: ${[...this.agents.keys()].join(', ')})`);
    return agent;
  }

  private merged(overrides: Partial<FaultTimings>): FaultTimings {
    return { ...this.timings, ...overrides };
  }

  /** Cuts the agent off from the servers (§12.2): local endpoints keep answering, forwarded calls fail. */
  partition(node: string, overrides: Partial<FaultTimings> = {}): void {
    const agent = this.agent(node);
    if (agent.process !== 'running') throw new ClusterError(409, `agent ${node} is ${agent.process}`);
    if (agent.partition !== null) throw new ClusterError(409, `agent ${node} is already partitioned`);
    const timings = this.merged(overrides);
    agent.partition = { since: Date.now(), timings };
    this.linkChanged(agent);
    agent.armDetection(timings.detectMs, () => this.detected(agent));
  }

  /** Heals the cut (§12.4): calls go through again; a node already marked failed rejoins after the delay. */
  heal(node: string, overrides: Partial<FaultTimings> = {}): void {
    const agent = this.agent(node);
    if (agent.partition === null) throw new ClusterError(409, `agent ${node} is not partitioned`);
    const { since, timings } = agent.partition;
    const t = { ...timings, ...overrides };
    agent.partition = null;
    if (agent.process === 'running') {
      agent.cancelDetection();
      // Calls go through again at once unless the agent dropped every server (P7); the servers mark a
      // failed node alive only after the rejoin delay (P15-P17), and the re-sync waits for that.
      if (Date.now() - since >= t.noServersMs) agent.hasServers = false;
      if (!agent.hasServers || agent.serverView !== 'alive' || agent.wantedView !== 'alive') this.scheduleJoin(agent, t.rejoinMs);
    }
    this.linkChanged(agent);
  }

  /** SIGKILL (P19): connection refused, checks stop, noticed by the servers like a cut. */
  async kill(node: string, overrides: Partial<FaultTimings> = {}): Promise<void> {
    const agent = this.agent(node);
    if (agent.process !== 'running') throw new ClusterError(409, `agent ${node} is ${agent.process}`);
    agent.process = 'killed';
    agent.hasServers = false;
    agent.cancelJoin();
    agent.state.registry.stopChecks();
    this.linkChanged(agent);
    await agent.listener.stop();
    agent.armDetection(this.merged(overrides).detectMs, () => this.detected(agent));
  }

  /** Starts a killed or departed agent again (P21): same port, persisted registrations, HTTP checks critical. */
  async restart(node: string, overrides: Partial<FaultTimings> = {}): Promise<void> {
    const agent = this.agent(node);
    if (agent.process === 'running') throw new ClusterError(409, `agent ${node} is already running`);
    await agent.listener.resume();
    agent.process = 'running';
    agent.hasServers = false;
    // Back before the servers noticed: nothing to detect any more (unless still cut off).
    if (agent.partition === null) agent.cancelDetection();
    agent.state.registry.restartChecks();
    this.scheduleJoin(agent, this.merged(overrides).rejoinMs);
    this.linkChanged(agent);
  }

  /** Graceful leave (P20): node, services, checks and every session of the node gone at once; port closed. */
  async leave(node: string): Promise<void> {
    const agent = this.agent(node);
    if (agent.process === 'left') throw new ClusterError(409, `agent ${node} already left`);
    agent.process = 'left';
    agent.hasServers = false;
    agent.cancelDetection();
    agent.cancelJoin();
    agent.state.registry.clearAgent();
    agent.wantedView = 'left';
    this.linkChanged(agent);
    this.applyServerView(agent);
    await agent.listener.stop();
  }

  /** Every running agent killed at once (P19 for each): every API port refuses connections. */
  async killAll(overrides: Partial<FaultTimings> = {}): Promise<void> {
    const running = [...this.agents.values()].filter((a) => a.process === 'running');
    if (running.length === 0) throw new ClusterError(409, 'no agent is running');
    await Promise.all(running.map((a) => this.kill(a.node, overrides)));
  }

  /** Every running agent cut off from the servers at once (§12.2 for each). */
  partitionAll(overrides: Partial<FaultTimings> = {}): void {
    const linked = [...this.agents.values()].filter((a) => a.process === 'running' && a.partition === null);
    if (linked.length === 0) throw new ClusterError(409, 'no running agent is connected');
    for (const agent of linked) this.partition(agent.node, overrides);
  }

  /**
   * A staggered return: each step brings its target back `atMs` after this call (the quorum, or an
   * agent restarted or healed, with `overrides` such as rejoinMs). Refused (409) unless every target is
   * down now; a step whose target is already back when it falls due does nothing.
   */
  recover(steps: readonly RecoveryStep[], overrides: Partial<FaultTimings> = {}): void {
    for (const { target } of steps) {
      if (this.recovery.has(target)) throw new ClusterError(409, `${target} already has a recovery step pending`);
      if (target === SERVERS_TARGET) {
        if (this.quorumLoss === null) throw new ClusterError(409, 'quorum is not lost');
      } else if (this.agent(target).process === 'running' && this.agent(target).partition === null) {
        throw new ClusterError(409, `agent ${target} is running and connected`);
      }
    }
    this.recovery.schedule(steps, (target) => this.bringBack(target, overrides));
  }

  private async bringBack(target: string, overrides: Partial<FaultTimings>): Promise<void> {
    if (target === SERVERS_TARGET) {
      if (this.quorumLoss !== null) this.restoreQuorum();
      return;
    }
    const agent = this.agent(target);
    if (agent.process !== 'running') await this.restart(target, overrides);
    else if (agent.partition !== null) this.heal(target, overrides);
  }

  /** The servers lose quorum (§12.6): no leader, no invalidation of any kind, TTL timers stopped. */
  loseQuorum(overrides: Partial<FaultTimings> = {}): void {
    if (this.quorumLoss !== null) throw new ClusterError(409, 'quorum is already lost');
    this.quorumLoss = { since: Date.now(), holdMs: this.merged(overrides).rpcHoldMs };
    this.state.sessions.suspendTimers();
    for (const agent of this.agents.values()) this.updateOnline(agent);
    this.notifyQuorum();
  }

  /**
   * A new leader (P24): every TTL session re-armed at 2 × TTL from now, then failed or departed nodes
   * reconciled (their sessions invalidated now), then every connected agent re-synced.
   */
  restoreQuorum(): void {
    if (this.quorumLoss === null) throw new ClusterError(409, 'quorum is not lost');
    this.quorumLoss = null;
    this.state.sessions.rearmAll();
    for (const agent of this.agents.values()) this.applyServerView(agent);
    for (const agent of this.agents.values()) this.updateOnline(agent);
    this.notifyQuorum();
  }

  get hasLeader(): boolean {
    return this.quorumLoss === null;
  }

  watchQuorum(fn: () => void): () => void {
    this.quorumWatchers.add(fn);
    return () => this.quorumWatchers.delete(fn);
  }

  close(): void {
    this.recovery.clear();
    for (const agent of this.agents.values()) agent.close();
    this.quorumWatchers.clear();
  }

  snapshot() {
    return {
      agents: [...this.agents.values()].map((a) => a.snapshot()),
      quorumLost: this.quorumLoss !== null,
      quorumLostForMs: this.quorumLoss ? Date.now() - this.quorumLoss.since : null,
      timings: this.timings,
      clientMode: this.clientMode,
      recovery: this.recovery.snapshot(),
    };
  }

  private detected(agent: Agent): void {
    if (agent.connected) return;
    agent.wantedView = 'failed';
    this.applyServerView(agent);
  }

  private scheduleJoin(agent: Agent, ms: number): void {
    agent.armJoin(ms, () => {
      if (agent.process !== 'running' || agent.partition !== null) return;
      agent.hasServers = true;
      agent.wantedView = 'alive';
      this.applyServerView(agent);
      this.linkChanged(agent);
    });
  }

  /** Applies what the servers decided about the node, when they have a leader to do it (P12, P16, P20, P24). */
  private applyServerView(agent: Agent): void {
    if (!this.hasLeader || agent.serverView === agent.wantedView) return;
    const registry = agent.state.registry;
    const from = agent.serverView;
    agent.serverView = agent.wantedView;
    switch (agent.wantedView) {
      case 'failed':
        registry.updateStatus(SERF_CHECK_ID, 'critical', SERF_FAILED, { force: true });
        break;
      case 'left':
        this.state.raft.write((index) => {
          this.state.sessions.invalidateNode(index, agent.node);
          registry.leaveCatalog(index);
        });
        break;
      case 'alive':
        if (from === 'left') this.state.raft.write((index) => registry.joinCatalog(index));
        else registry.updateStatus(SERF_CHECK_ID, 'passing', SERF_ALIVE, { force: true });
        break;
      default: {
        const never: never = agent.wantedView;
        return never;
      }
    }
  }

  /** Recomputes whether the agent's changes reach the catalog now, and pushes what it missed if so. */
  private updateOnline(agent: Agent): void {
    const registry = agent.state.registry;
    registry.online = agent.connected && this.hasLeader && agent.serverView === 'alive';
    if (registry.online) registry.sync();
  }

  private linkChanged(agent: Agent): void {
    this.updateOnline(agent);
    agent.changed();
  }

  private notifyQuorum(): void {
    for (const fn of [...this.quorumWatchers]) fn();
  }
}
