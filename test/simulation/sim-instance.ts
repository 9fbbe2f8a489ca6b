import type { CheckStatus } from '../../libs/ha/src/consul/consul.port.js';
import { Elector } from '../../libs/ha/src/election/elector.js';
import type { ElectorTimings, PeerProbePort } from '../../libs/ha/src/election/ports.js';
import type { ElectorFailsafe } from '../../libs/ha/src/failsafe/elector-failsafe.js';
import type { FailsafeRequest, FailsafeVerdict } from '../../libs/ha/src/failsafe/failsafe-request.js';
import { ActingTerm } from '../../libs/ha/src/term/acting-term.js';
import { HaLeaderView } from '../../libs/ha/src/forwarding/ha-leader-view.js';
import type { ForwardTarget } from '../../libs/ha/src/forwarding/forward-attempt.js';
import { SimDispatch, type SimOutcome, type SimRequest } from './sim-dispatch.js';
import type { Prng } from './prng.js';
import type { Scheduler } from './scheduler.js';
import { SimAgent } from './sim-agent.js';
import { SimClock } from './sim-clock.js';
import { consulPortOf } from './sim-consul-port.js';
import { simFailsafe } from './sim-failsafe.js';
import { SimFailsafeRound, type FailsafeAnswerer } from './sim-failsafe-round.js';
import { SimGraph, type WriteLeaving } from './sim-graph.js';
import type { SimNetwork } from './sim-network.js';
import { SimProcess } from './sim-process.js';
import type { SimServers } from './sim-servers.js';
import type { SimElasticsearch } from './sim-store.js';

/** How long a peer probe waits for an answer before it calls it `unknown` (a frozen or cut-off peer). */
export const PROBE_TIMEOUT_MS = 1000;

export interface SimWorld {
  scheduler: Scheduler;
  servers: SimServers;
  network: SimNetwork;
  es: SimElasticsearch;
  rng: Prng;
  timings: ElectorTimings;
  /** Largest relative clock-rate error of any process (a rate in [1 - skew, 1 + skew]). */
  clockSkew: number;
  /** Rule 13 (ha.failsafe) on every instance of the run, or on none. */
  failsafe: boolean;
  instance(id: string): SimInstance | undefined;
  trace(line: string): void;
  writeLeaving(write: WriteLeaving): void;
  /** A fault that started late (it waited for its target) heals at global time `time`. */
  faultEndsAt(time: number): void;
  /** `member` confirmed a failsafe round whose request reached its process at global time `askedAt`. */
  failsafeConfirmed(member: SimInstance, leaderId: string, askedAt: number): void;
}

const LEADER_KEY = 'service/a4c/leader';

/**
 * One simulated host: its Consul agent (which outlives the process) and the current incarnation of the
 * A4C process on it: the REAL elector with its clock, its Consul port through the agent, its peer probe
 * over the simulated network and its full graph. A crash abandons the incarnation; a restart builds a
 * new one, as a supervisor would.
 */
export class SimInstance implements FailsafeAnswerer {
  readonly agent: SimAgent;
  /** The host's own health indicators (Elasticsearch, disk): rule 8. */
  healthUp = true;
  process: SimProcess;
  clock!: SimClock;
  /** The one answer to "may this instance act now?" (the term), as every reader asks it. */
  term!: ActingTerm;
  elector!: Elector;
  graph!: SimGraph;
  dispatch!: SimDispatch;
  /** Global time since which the current incarnation has been in state `leader` (null when it is not). */
  leaderSince: number | null = null;
  /** Rule 13's parts of the current incarnation (null with failsafe off). */
  failsafe: ElectorFailsafe | null = null;
  private incarnation = 0;

  constructor(
    readonly id: string,
    private readonly world: SimWorld,
  ) {
    this.agent = new SimAgent(id, world.scheduler, world.servers, world.rng, (serviceId) => this.checkSeen(serviceId));
    this.process = this.start();
  }

  get url(): string {
    return `http://${this.id}.sim:8088`;
  }

  /** Rules 3, 9, 10: what the leader probe would answer now (a frozen process answers once continued). */
  isActing(): boolean {
    return !this.process.crashed && this.term.mayAct();
  }

  /** A user request reaching this host: refused when no process listens, else handled by the dispatch. */
  receive(request: SimRequest): Promise<SimOutcome> {
    const process = this.process;
    if (process.crashed) return Promise.resolve('not-processed');
    return new Promise<SimOutcome>((resolve) => process.deliver(() => void this.dispatch.handle(request).then(resolve)));
  }

  /**
   * A leader's failsafe request reaching this host: refused when no process listens, else judged by the
   * current incarnation's real FailsafeMember once the request passes its gate (a frozen one answers late).
   */
  answerFailsafe(request: FailsafeRequest): Promise<FailsafeVerdict> | null {
    const { process, elector, term, failsafe } = this;
    if (process.crashed) return null;
    if (!failsafe) return Promise.resolve({ confirmed: false, reason: 'failsafe is off on this instance (ha.failsafe: false)' });
    return new Promise<FailsafeVerdict>((resolve) =>
      process.deliver(() => {
        const askedAt = this.world.scheduler.now;
        void failsafe.member.confirm(request, () => ({ holdsLock: elector.holdsOrReleasesLock(), acting: term.mayAct() })).then((answer) => {
          if (answer.confirmed) this.world.failsafeConfirmed(this, request.leaderId, askedAt);
          else this.world.trace(`${this.id}: refuses ${request.leaderId}'s failsafe round: ${answer.reason}`);
          resolve(answer.confirmed ? { confirmed: true } : answer);
        });
      }),
    );
  }

  crash(): void {
    this.process.crash();
    this.world.trace(`${this.id}: process crashed (incarnation ${this.incarnation})`);
  }

  restart(): void {
    if (!this.process.crashed) return;
    this.process = this.start();
  }

  /** The peer probe port of this incarnation: asks another instance's leader probe over the network. */
  private probePort(process: SimProcess): PeerProbePort {
    const { network, scheduler } = this.world;
    return {
      probe: (peer, signal) =>
        new Promise((resolve) => {
          let settled = false;
          const onAbort = () => ((timeout.cancelled = true), answer('unknown'));
          const answer = (value: 'acting' | 'not-acting' | 'refused' | 'unknown') =>
            process.deliver(() => {
              if (settled) return;
              settled = true;
              signal.removeEventListener('abort', onAbort);
              resolve(value);
            });
          const timeout = scheduler.after(PROBE_TIMEOUT_MS / this.clock.rate, () => answer('unknown'));
          signal.addEventListener('abort', onAbort, { once: true });
          network.send(this.id, peer.id, () => {
            const target = this.world.instance(peer.id);
            if (!target || target.process.crashed) return network.send(peer.id, this.id, () => answer('refused'));
            target.process.deliver(() => {
              // the leader probe's answer to a takeover probe: "not acting" is a promise (rule 10)
              const notActing = target.term.promiseNotActing();
              network.send(peer.id, this.id, () => answer(notActing ? 'not-acting' : 'acting'));
            });
          });
        }),
    };
  }

  /** Forwards a request to the holder over the network; no answer by its deadline is a failure (not retried). */
  private forward(process: SimProcess, target: ForwardTarget, request: SimRequest): Promise<SimOutcome> {
    const { network, scheduler } = this.world;
    return new Promise<SimOutcome>((resolve) => {
      let settled = false;
      const answer = (outcome: SimOutcome) =>
        process.deliver(() => {
          if (settled) return;
          settled = true;
          timeout.cancelled = true;
          resolve(outcome);
        });
      const timeout = scheduler.at(request.deadline, () => answer('failed'));
      network.send(this.id, target.id, () => {
        const peer = this.world.instance(target.id);
        if (!peer) return answer('failed');
        void peer.receive(request).then((outcome) => network.send(target.id, this.id, () => answer(outcome)));
      });
    });
  }

  /** What the agent's HTTP check of this host's service sees: a frozen or crashed process does not answer. */
  private checkSeen(serviceId: string): CheckStatus {
    if (serviceId !== `a4c-${this.id}`) return 'critical';
    return this.process.running && this.healthUp ? 'passing' : 'critical';
  }

  private start(): SimProcess {
    const { scheduler, rng, timings } = this.world;
    const incarnation = ++this.incarnation;
    this.leaderSince = null;
    const process = new SimProcess(this.id, incarnation, scheduler);
    this.process = process;
    this.clock = new SimClock(scheduler, process, rng.between(1 - this.world.clockSkew, 1 + this.world.clockSkew), rng.int(1, 1e9));
    this.term = new ActingTerm(this.clock, timings.leaseMs);
    const graph = new SimGraph(this.id, process, this.clock, this.world.es, rng, (write) => this.world.writeLeaving(write));
    this.graph = graph;
    const consul = consulPortOf(this.agent, process);
    const round = new SimFailsafeRound({ selfId: this.id, process, network: this.world.network, member: (id) => this.world.instance(id) });
    const failsafeParts = { selfId: this.id, key: LEADER_KEY, consul, clock: this.clock, term: this.term, timings, round, epoch: () => graph.epoch };
    this.failsafe = this.world.failsafe ? simFailsafe(failsafeParts) : null;
    this.elector = new Elector({
      term: this.term,
      consul,
      clock: this.clock,
      health: { check: async () => ({ up: this.healthUp, detail: this.healthUp ? 'up' : 'elasticsearch: cluster health red' }) },
      graph: this.graph,
      peers: this.probePort(process),
      random: () => rng.next(),
      timings,
      ...(this.failsafe ? { failsafe: this.failsafe } : {}),
      identity: {
        instanceId: this.id,
        serviceName: 'a4c',
        leaderKey: LEADER_KEY,
        address: `${this.id}.sim`,
        port: 8088,
        url: this.url,
        checkUrl: `${this.url}/rest/admin/health`,
      },
      listener: {
        transition: (from, to, reason) => {
          if (to.kind !== 'leader') this.leaderSince = null;
          else if (from.kind !== 'leader') this.leaderSince = scheduler.now;
          this.world.trace(`${this.id}: ${from.kind} -> ${to.kind}: ${reason}`);
        },
        consulError: () => undefined,
      },
    });
    const view = new HaLeaderView({
      instanceId: this.id,
      url: this.url,
      leaderKey: LEADER_KEY,
      consul: null,
      term: this.term,
      leader: () => this.elector.leader,
      onElectionChange: () => () => undefined,
    });
    this.dispatch = new SimDispatch({ id: this.id, view, graph: this.graph, clock: this.clock, now: () => scheduler.now, forward: (target, request) => this.forward(process, target, request) });
    this.world.trace(`${this.id}: process started (incarnation ${incarnation}, clock rate ${this.clock.rate.toFixed(4)})`);
    this.elector.start();
    return process;
  }
}
