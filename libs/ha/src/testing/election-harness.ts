import { Elector } from '../election/elector.js';
import { ActingTerm } from '../term/acting-term.js';
import type { ElectionState } from '../election/election-state.js';
import type { ConsulPort } from '../consul/consul.port.js';
import type { ElectorTimings, FullGraphPort, LocalHealthPort, PeerProbePort } from '../election/ports.js';
import type { HaContext } from '../ha-context.js';
import type { ElectorFailsafe } from '../failsafe/elector-failsafe.js';
import type { FakeClock } from './fake-clock.js';
import type { InMemoryConsul } from './in-memory-consul.js';

/** A full graph whose activation a test controls: succeed (default), throw, or hang. */
export class FakeGraph implements FullGraphPort {
  mode: 'succeed' | 'throw' | 'hang' = 'succeed';
  up = false;
  contexts: HaContext[] = [];

  constructor(
    private readonly log: string[],
    private readonly name: string,
  ) {}

  async activate(context: HaContext): Promise<void> {
    this.log.push(`${this.name}:activate term=${context.term}`);
    this.contexts.push(context);
    if (this.mode === 'throw') throw new Error('bean creation failed');
    if (this.mode === 'hang') return new Promise<void>(() => undefined);
    this.up = true;
  }

  async deactivate(): Promise<void> {
    this.log.push(`${this.name}:deactivate`);
    this.up = false;
  }
}

/**
 * The instances as they can reach each other for rule 10's probe: an instance answers from its elector
 * (acting, or a "not acting" it promises to keep), unless the test made it dead (connection refused) or
 * unreachable (frozen, cut off: no answer).
 */
export class PeerNetwork implements PeerProbePort {
  private readonly terms = new Map<string, ActingTerm>();
  readonly dead = new Set<string>();
  readonly unreachable = new Set<string>();
  readonly probes: string[] = [];

  register(name: string, term: ActingTerm): void {
    this.terms.set(name, term);
  }

  async probe(peer: { id: string; url: string }): Promise<'acting' | 'not-acting' | 'refused' | 'unknown'> {
    this.probes.push(peer.id);
    const term = this.terms.get(peer.id);
    if (!term || this.dead.has(peer.id)) return 'refused';
    if (this.unreachable.has(peer.id)) return 'unknown';
    return term.promiseNotActing() ? 'not-acting' : 'acting';
  }
}

export class FakeHealth implements LocalHealthPort {
  up = true;
  async check() {
    return { up: this.up, detail: this.up ? 'up' : 'elasticsearch: cluster health red' };
  }
}

export const testTimings: ElectorTimings = {
  sessionTtlMs: 15_000,
  renewIntervalMs: 5_000,
  renewDeadlineMs: 10_000,
  renewRetryMs: 1_000,
  leaseMs: 4_000,
  proveIntervalMs: 1_000,
  proveRetryMs: 200,
  takeoverMarginMs: 400,
  handoverWindowMs: 3_000,
  blockingWaitMs: 180_000,
  retryDelayMs: 20_000,
  lockDelayMs: 0,
  healthCheckIntervalMs: 1_000,
  activationTimeoutMs: 30_000,
  stepDownHoldOffMs: 20_000,
};

export interface TestInstance {
  elector: Elector;
  /** What the instance's readers ask: may it act now? */
  term: ActingTerm;
  graph: FakeGraph;
  health: FakeHealth;
  peers: PeerNetwork;
  transitions: { from: ElectionState['kind']; to: ElectionState['kind']; reason: string }[];
  errors: string[];
  checkId: string;
}

/** One elector on the shared fake consul and clock, named `name` in logs and check IDs. */
export function makeInstance(
  consul: InMemoryConsul,
  clock: FakeClock,
  name: string,
  timings: Partial<ElectorTimings> = {},
  peers: PeerNetwork = new PeerNetwork(),
  /** This instance's own path to the shared consul (e.g. a PartitionableConsul around it). */
  via: ConsulPort = consul,
  /** Rule 13's parts, for the failsafe scenarios. */
  failsafe?: ElectorFailsafe,
): TestInstance {
  const graph = new FakeGraph(consul.calls, name);
  const health = new FakeHealth();
  const transitions: TestInstance['transitions'] = [];
  const errors: string[] = [];
  const term = new ActingTerm(clock, { ...testTimings, ...timings }.leaseMs);
  if (failsafe) term.restrain((now) => failsafe.member.promiseBinds(now)); // as the failsafe provider does
  const elector = new Elector({
    term,
    consul: via,
    clock,
    health,
    graph,
    random: () => 1,
    peers,
    ...(failsafe ? { failsafe } : {}),
    timings: { ...testTimings, ...timings },
    identity: {
      instanceId: name,
      serviceName: 'a4c',
      leaderKey: 'service/a4c/leader',
      address: '127.0.0.1',
      port: 8088,
      url: `http://127.0.0.1:8088`,
      checkUrl: 'http://127.0.0.1:8088/rest/admin/health',
    },
    listener: {
      transition: (from, to, reason) => transitions.push({ from: from.kind, to: to.kind, reason }),
      consulError: (operation, detail) => errors.push(`${operation}: ${detail}`),
    },
  });
  peers.register(name, term);
  return { elector, term, graph, health, peers, transitions, errors, checkId: `service:a4c-${name}` };
}
