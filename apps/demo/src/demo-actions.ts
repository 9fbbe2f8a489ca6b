import type { A4cProcess } from '../../../bench/harness/a4c-process.js';
import type { LocalCluster } from '../../../bench/harness/local-cluster.js';
import type { Traffic } from '../../../bench/harness/traffic.js';
import type { StatusPoller } from './status-poller.js';

/**
 * What the keys do: take the leader down three ways, kill or restart one instance, and keep a short
 * event log (the operator's actions plus every instance's election transitions).
 */
export class DemoActions {
  message = 'watch the leader, then press k to kill it';
  private readonly actions: Array<{ atMs: number; text: string }> = [];
  private readonly starting = new Set<A4cProcess>();
  /** SIGTERM sent, process not gone yet (a graceful exit can take seconds). */
  private readonly stopping = new Set<A4cProcess>();
  /** failedBefore: the traffic's failed total when the leader was taken down (the count shown is the difference). */
  private lastLoss: { atMs: number; from: string; kind: string; failedBefore: number; outcome?: string } | undefined;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly traffic: Traffic,
    private readonly poller: () => StatusPoller,
  ) {}

  /** What the status routes cannot tell: the process is booting, or exiting after SIGTERM. */
  phaseOf = (instance: A4cProcess): 'starting' | 'stopping' | undefined =>
    this.starting.has(instance) ? 'starting' : this.stopping.has(instance) ? 'stopping' : undefined;

  /** k / t / s: the current leader, as the status routes report it. */
  async leaderDown(kind: 'SIGKILL' | 'SIGTERM' | 'step-down'): Promise<void> {
    const id = this.poller().leader()?.id;
    const leader = this.cluster.instances.find((i) => i.id === id && i.running);
    if (!leader) return this.say('no leader to take down right now');
    this.lastLoss = { atMs: Date.now(), from: leader.id, kind, failedBefore: this.traffic.totals().failed };
    this.say(`${kind} ${leader.id} (the leader)`);
    if (kind === 'SIGKILL') await leader.kill();
    else if (kind === 'SIGTERM') await this.terminate(leader);
    else this.say(`step-down ${leader.id}: HTTP ${await leader.stepDown().catch(() => 0)}`);
  }

  /** 1-9: kill instance n if it runs, restart it if it is down. */
  async toggle(n: number): Promise<void> {
    const instance = this.cluster.instances[n - 1];
    if (!instance) return this.say(`there is no instance ${n}`);
    if (this.phaseOf(instance)) return this.say(`${instance.id} is ${this.phaseOf(instance)}, wait a moment`);
    if (!instance.running) return this.restart(instance);
    this.say(`SIGKILL ${instance.id}`);
    await instance.kill();
  }

  /** r: every instance without a process. */
  async restartDead(): Promise<void> {
    const dead = this.cluster.instances.filter((i) => !i.running && !this.phaseOf(i));
    if (dead.length === 0) return this.say('every instance is running');
    await Promise.all(dead.map((i) => this.restart(i)));
  }

  /**
   * The failover of the last leader loss as the user saw it through the proxy, with the requests that
   * failed since (issue: users see no error when the leader changes, so this should stay at 0).
   */
  lastFailover(): string | undefined {
    const loss = this.lastLoss;
    if (!loss) return undefined;
    const failed = this.traffic.totals().failed - loss.failedBefore;
    const failures = `${failed} failed request${failed === 1 ? '' : 's'} since`;
    if (loss.outcome) return `${loss.outcome} · ${failures}`; // kept: the traffic samples behind it age out
    const first = this.traffic.firstSuccess(loss.atMs, loss.from);
    if (!first) return `${loss.kind} ${loss.from}: waiting for a new leader (${((Date.now() - loss.atMs) / 1000).toFixed(1)} s) · ${failures}`;
    const by = first.server ? ` from ${first.server}` : '';
    loss.outcome = `${loss.kind} ${loss.from} -> first 2xx${by} after ${((first.doneAtMs - loss.atMs) / 1000).toFixed(2)} s`;
    return `${loss.outcome} · ${failures}`;
  }

  events(): Array<{ atMs: number; text: string }> {
    const transitions = this.cluster.instances.flatMap((i) => i.transitions.slice(-10).map((t) => ({ atMs: t.atMs, text: `${i.id}: ${t.from} -> ${t.to}: ${t.reason}` })));
    return [...this.actions, ...transitions].sort((a, b) => a.atMs - b.atMs).slice(-10);
  }

  private async terminate(instance: A4cProcess): Promise<void> {
    this.stopping.add(instance);
    try {
      const { sentAtMs, exitCode } = await instance.terminate();
      this.say(`${instance.id} exited (code ${exitCode}) ${((Date.now() - sentAtMs) / 1000).toFixed(1)} s after SIGTERM`);
    } finally {
      this.stopping.delete(instance);
    }
  }

  private async restart(instance: A4cProcess): Promise<void> {
    this.starting.add(instance);
    this.say(`restarting ${instance.id}`);
    try {
      await instance.start();
      this.say(`${instance.id} is up again (a backup until the leader goes)`);
    } catch (error) {
      this.say(`${instance.id} did not start: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      this.starting.delete(instance);
    }
  }

  private say(text: string): void {
    this.message = text;
    this.actions.push({ atMs: Date.now(), text: `[you] ${text}` });
    if (this.actions.length > 50) this.actions.shift();
  }
}
