// The whole in-memory state of one double, wired together: one Raft index, KV, sessions, the agent's
// services and checks, and the runner that really executes the checks.
import { CheckRunner } from '../checks/check-runner.js';
import type { Clock } from '../clock.js';
import { CheckRegistry } from './check-registry.js';
import { KvStore } from './kv-store.js';
import { INITIAL_INDEX, RaftIndex } from './raft-index.js';
import { SessionStore } from './session-store.js';

export interface ConsulStateOptions {
  node: string;
  clock: Clock;
  /** CA used to verify HTTPS check targets (the agent's own CA when TLS is configured). */
  ca?: Buffer;
  random?: () => number;
}

export class ConsulState {
  readonly raft = new RaftIndex();
  readonly kv: KvStore;
  readonly sessions: SessionStore;
  readonly registry: CheckRegistry;
  readonly runner: CheckRunner;
  readonly node: string;
  readonly clock: Clock;
  /** Randomness for blocking-query jitter and first-probe delays. */
  readonly random: () => number;

  constructor(options: ConsulStateOptions) {
    this.node = options.node;
    this.random = options.random ?? Math.random;
    this.clock = options.clock;
    this.kv = new KvStore(options.clock);
    this.runner = new CheckRunner(options.clock, (id, status, output) => this.registry.updateStatus(id, status, output), options.ca, this.random);
    this.registry = new CheckRegistry(options.node, this.raft, {
      onCheckDown: (index, node, checkId) => this.sessions.invalidateLinkedTo(index, node, checkId),
      onCheckAdded: (check, spec) => this.runner.start(check.CheckID, spec),
      onCheckRemoved: (checkId) => this.runner.stop(checkId),
    });
    this.sessions = new SessionStore(this.raft, this.kv, options.clock, this.registry);
  }

  /**
   * Snapshot-restore semantics: everything is emptied (serfHealth passing again) and the index moves
   * back to `index`; blocked queries return at once with the lower index.
   */
  reset(index = INITIAL_INDEX): void {
    this.sessions.clear(index);
    this.kv.clear(index);
    this.registry.reset();
    this.raft.restore(index);
  }

  close(): void {
    this.runner.stopAll();
    this.sessions.clear(this.raft.current());
  }

  /** Everything a test may want to assert on (GET /state on the control port). */
  snapshot() {
    return {
      index: this.raft.current(),
      node: this.node,
      kvIndex: this.kv.tableIndex,
      sessionsIndex: this.sessions.tableIndex,
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
      checks: this.registry.nodeChecks().map((c) => ({ ...c, Pinned: this.registry.isPinned(c.CheckID) })),
      services: this.registry.allServices(),
      blockedQueries: this.raft.watcherCount(),
    };
  }
}
