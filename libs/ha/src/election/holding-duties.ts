import { healthPollMsOf } from '../config/ha-timings.js';
import { INTERNAL_DEFAULTS } from '../config/internal-defaults.js';
import { describeError } from '../consul/consul-errors.js';
import type { Clock } from '../clock/clock.port.js';
import type { ConsulPort } from '../consul/consul.port.js';
import type { HaContext } from '../ha-context.js';
import type { ActingTerm } from '../term/acting-term.js';
import type { ElectionState } from './election-state.js';
import { HealthWatch } from './health-watch.js';
import { HoldingWatch } from './holding-watch.js';
import type { LeaderValue, Member } from './leader-value.js';
import type { ElectorFailsafe } from '../failsafe/elector-failsafe.js';
import { FailsafeController } from '../failsafe/failsafe-controller.js';
import { MembersKeeper } from '../failsafe/members-keeper.js';
import { LeaseKeeper } from './lease-keeper.js';
import { ObservationChannel } from './observation-channel.js';
import { CatalogProbe } from './catalog-probe.js';
import { TakeoverProbe } from './takeover-probe.js';
import type { ElectorIdentity, ElectorTimings, FullGraphPort, LocalHealthPort, PeerProbePort } from './ports.js';

/** What the duties of one holding use: the ports, and the state they start from. */
export interface HoldingDutiesDeps {
  consul: ConsulPort;
  clock: Clock;
  health: LocalHealthPort;
  graph: FullGraphPort;
  term: ActingTerm;
  identity: Pick<ElectorIdentity, 'instanceId' | 'leaderKey' | 'serviceName' | 'url'>;
  timings: ElectorTimings;
  peers?: PeerProbePort;
  random?: () => number;
  onConsulError: (operation: string, detail: string) => void;
  state: Extract<ElectionState, { kind: 'activating' }>;
  /** The key's value when it stopped being ours (the new leader, as far as the key tells). */
  onKeyValue: (value: LeaderValue | null) => void;
  /** Rule 13 (docs/architecture.md): present when ha.failsafe is on. */
  failsafe?: ElectorFailsafe;
  /** The election state now (the failsafe duties act only while leading). */
  current: () => ElectionState;
  /** The key's value naming these members, for the members keeper. */
  valueWith: (members: Member[]) => string;
}

/**
 * Everything that runs while this instance holds the lock, from the acquire to the demotion: the full
 * graph's activation, the lease keeper (renew + proof), the key watch, the health watch and, when needed,
 * the takeover probe. All of them post into one channel the election loop reads; stop() ends them all.
 * The holding's signal belongs to the acting term, which aborts it first (rule 7).
 */
export class HoldingDuties {
  readonly channel = new ObservationChannel();
  readonly keeper: LeaseKeeper;
  private readonly watch: HoldingWatch;
  private readonly healthWatch: HealthWatch;
  private probe: TakeoverProbe | CatalogProbe | null = null;
  /** Rule 13, when ha.failsafe is on: the key's members and the failsafe rounds. */
  private readonly failsafe: { members: MembersKeeper; controller: FailsafeController } | null;

  constructor(private readonly deps: HoldingDutiesDeps) {
    const { consul, clock, identity, timings, state } = deps;
    const onError = deps.onConsulError;
    this.keeper = new LeaseKeeper({ consul, clock, key: identity.leaderKey, sessionId: state.sessionId, renewedAt: state.lease.renewedAt, channel: this.channel, timings, onError });
    this.watch = new HoldingWatch({
      consul,
      clock,
      key: identity.leaderKey,
      sessionId: state.sessionId,
      channel: this.channel,
      blockingWaitMs: timings.blockingWaitMs,
      retryCapMs: timings.renewIntervalMs,
      random: deps.random,
      onError,
      onNewValue: deps.onKeyValue,
      keySeen: (entry) => deps.failsafe?.member.keySeen(entry),
    });
    this.healthWatch = new HealthWatch({
      health: deps.health,
      clock,
      channel: this.channel,
      pollMs: healthPollMsOf(timings.healthCheckIntervalMs),
      failuresBeforeDown: INTERNAL_DEFAULTS.healthFailuresBeforeDown,
    });
    this.failsafe = deps.failsafe ? this.failsafeDuties(deps.failsafe) : null;
  }

  /** Rule 13: this holding now leads: the members keeper writes the key's value at once (own-key-value.ts). */
  writeKeyValueNow(): void {
    this.failsafe?.members.writeNow();
  }

  /** Rule 13: the members this holding wrote into the key (null before the first write, or failsafe off). */
  members(): Member[] | null {
    return this.failsafe?.members.forRounds() ?? null;
  }

  private failsafeDuties(failsafe: ElectorFailsafe): { members: MembersKeeper; controller: FailsafeController } {
    const { consul, clock, identity, state } = this.deps;
    const members = new MembersKeeper({
      consul,
      clock,
      key: identity.leaderKey,
      sessionId: state.sessionId,
      serviceName: identity.serviceName,
      protocol: failsafe.protocol,
      self: { id: identity.instanceId, url: identity.url },
      intervalMs: failsafe.timings.membersIntervalMs,
      valueWith: this.deps.valueWith,
      leading: () => this.deps.current().kind === 'leader',
      onError: this.deps.onConsulError,
    });
    const controller = new FailsafeController({
      clock,
      channel: this.channel,
      round: failsafe.round,
      selfId: identity.instanceId,
      state: this.deps.current,
      members: () => members.forRounds(),
      epoch: failsafe.epoch,
      timings: failsafe.timings,
    });
    return { members, controller };
  }

  start(): void {
    this.keeper.start();
    this.watch.start();
    this.healthWatch.start();
    this.failsafe?.members.start();
    this.failsafe?.controller.start();
    this.track(this.deps.state);
    this.activate();
  }

  /** Rule 10: ask the named predecessor, or with none named every instance the catalog lists. */
  private probeFor(peer: { id: string; url: string } | null, probe: NonNullable<HoldingDutiesDeps['peers']>): TakeoverProbe | CatalogProbe {
    const { clock, consul, identity } = this.deps;
    const common = { probe, clock, channel: this.channel, intervalMs: INTERNAL_DEFAULTS.takeoverProbeIntervalMs };
    if (peer) return new TakeoverProbe({ ...common, peer });
    return new CatalogProbe({ ...common, consul, serviceName: identity.serviceName, instanceId: identity.instanceId, protocol: new URL(identity.url).protocol });
  }

  /** Starts or stops the takeover probe as the state says whether one is still needed. */
  track(state: ElectionState): void {
    const takeover = state.kind === 'activating' && !state.takeover.safe ? state.takeover : null;
    const waiting = takeover && (takeover.peer || takeover.askAll) ? takeover : null;
    if (waiting && !this.probe && this.deps.peers) {
      this.probe = this.probeFor(waiting.peer, this.deps.peers);
      this.probe.start();
    }
    if (!waiting && this.probe) {
      this.probe.stop();
      this.probe = null;
    }
  }

  stop(): void {
    this.keeper.stop();
    this.watch.stop();
    this.healthWatch.stop();
    this.failsafe?.members.stop();
    this.failsafe?.controller.stop();
    this.probe?.stop();
    this.channel.close();
  }

  private activate(): void {
    const { state, identity, graph, term } = this.deps;
    // the acting term began this holding on entering activating (Elector.transition): its signal is ours
    const signal = term.signal ?? AbortSignal.abort();
    const context: HaContext = {
      instanceId: identity.instanceId,
      term: state.term,
      since: new Date(state.since).toISOString(),
      signal,
      // a stopping leader's in-flight requests still write during the drain (quiesce): mayFinish, not mayAct
      isLeading: () => term.mayFinish(),
    };
    graph.activate(context).then(
      () => this.channel.post({ type: 'activated' }),
      (error: unknown) => this.channel.post({ type: 'activation-failed', detail: describeError(error) }),
    );
  }
}
