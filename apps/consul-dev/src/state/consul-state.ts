// The whole in-memory state of one double, wired together: the servers' shared state (one Raft index,
// KV, sessions, the catalog) and, per node, the agent's own services and checks with the runner that
// really executes them. Without `nodes` there is one node (the single dev agent).
import { CheckRunner } from '../checks/check-runner.js';
import type { Clock } from '../clock.js';
import { CheckRegistry } from './check-registry.js';
import { KvStore } from './kv-store.js';
import { INITIAL_INDEX, RaftIndex } from './raft-index.js';
import { type CheckLookup, SessionStore } from './session-store.js';

export interface ConsulStateOptions {
  /** The first (default) node; used when `nodes` is absent. */
  node: string;
  /** Every agent's node name, in order (the first one is the default node). */
  nodes?: string[];
  clock: Clock;
  /** CA used to verify HTTPS check targets (the agent's own CA when TLS is configured). */
  ca?: Buffer;
  random?: () => number;
}

/** One agent's local state: its registrations (agent and catalog views) and its check runner. */
export interface NodeState {
  readonly node: string;
  readonly registry: CheckRegistry;
  readonly runner: CheckRunner;
}

export class ConsulState implements CheckLookup {
  readonly raft = new RaftIndex();
  readonly kv: KvStore;
  readonly sessions: SessionStore;
  readonly nodes: ReadonlyMap<string, NodeState>;
  readonly clock: Clock;
  /** Randomness for blocking-query jitter and first-probe delays. */
  readonly random: () => number;
  /** Index of the last write to any node's catalog entry (health and catalog reads block on it). */
  catalogIndex = INITIAL_INDEX;

  constructor(options: ConsulStateOptions) {
    this.random = options.random ?? Math.random;
    this.clock = options.clock;
    this.kv = new KvStore(options.clock);
    this.sessions = new SessionStore(this.raft, this.kv, options.clock, this);
    const names = options.nodes && options.nodes.length > 0 ? options.nodes : [options.node];
    this.nodes = new Map(names.map((name) => [name, this.createNode(name, options.ca)]));
  }

  private createNode(node: string, ca: Buffer | undefined): NodeState {
    const state: NodeState = {
      node,
      runner: new CheckRunner(this.clock, (id, status, output) => state.registry.updateStatus(id, status, output), ca, this.random),
      registry: new CheckRegistry(node, this.raft, {
        onCheckDown: (index, name, checkId) => this.sessions.invalidateLinkedTo(index, name, checkId),
        onCheckAdded: (check, spec) => state.runner.start(check.CheckID, spec),
        onCheckRemoved: (checkId) => state.runner.stop(checkId),
        onCatalogWrite: (index) => (this.catalogIndex = index),
      }),
    };
    return state;
  }

  /** The first node: the single dev agent's, and the default one of the control API. */
  get first(): NodeState {
    return this.nodes.values().next().value as NodeState;
  }

  get node(): string {
    return this.first.node;
  }

  get registry(): CheckRegistry {
    return this.first.registry;
  }

  get runner(): CheckRunner {
    return this.first.runner;
  }

  nodeExists(node: string): boolean {
    return this.nodes.get(node)?.registry.nodeExists(node) ?? false;
  }

  checkStatus(node: string, checkId: string): string | undefined {
    return this.nodes.get(node)?.registry.checkStatus(node, checkId);
  }

  /**
   * Snapshot-restore semantics: everything is emptied (serfHealth passing again) and the index moves
   * back to `index`; blocked queries return at once with the lower index.
   */
  reset(index = INITIAL_INDEX): void {
    this.sessions.clear(index);
    this.kv.clear(index);
    for (const n of this.nodes.values()) n.registry.reset();
    this.catalogIndex = index;
    this.raft.restore(index);
  }

  close(): void {
    for (const n of this.nodes.values()) n.runner.stopAll();
    this.sessions.clear(this.raft.current());
  }

  /** Everything a test may want to assert on (GET /state on the control port). */
  snapshot() {
    const registry = this.registry;
    return {
      index: this.raft.current(),
      node: this.node,
      kvIndex: this.kv.tableIndex,
      sessionsIndex: this.sessions.tableIndex,
      catalogIndex: this.catalogIndex,
      sessions: this.sessions.list(),
      kv: this.kv.all().map((e) => ({
        Key: e.key,
        LockIndex: e.lockIndex,
        Flags: e.flags.toString(),
        Value: e.value ? e.value.toString('base64') : null,
        Session: e.session ?? null,
        CreateIndex: e.createIndex,
        ModifyIndex: e.modifyIndex,
      })),
      tombstones: this.kv.tombstoneSnapshot(),
      lockDelays: this.kv.lockDelaySnapshot(),
      checks: registry.nodeChecks().map((c) => ({ ...c, Pinned: registry.isPinned(c.CheckID) })),
      services: registry.allServices(),
      blockedQueries: this.raft.watcherCount(),
    };
  }
}
