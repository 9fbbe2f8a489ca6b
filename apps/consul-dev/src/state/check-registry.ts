// The agent's services and checks, which in this double are also the catalog's (no sync delay), plus
// the node-level `serfHealth` check. A status written as critical, or a check removed, invalidates the
// sessions linked to it in the same index (§2.7).
import { type CheckSpec, checkType } from '../checks/check-definition.js';
import { formatGoDuration } from '../go-duration.js';
import type { RaftIndex } from './raft-index.js';
import { SERF_CHECK_ID } from './session-request.js';

export interface AgentCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: string;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  Interval: string;
  Timeout: string;
  ExposedPort: number;
  Definition: Record<string, never>;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface AgentService {
  ID: string;
  Service: string;
  Tags: string[];
  Meta: Record<string, string>;
  Port: number;
  Address: string;
  Weights: { Passing: number; Warning: number };
  EnableTagOverride: boolean;
  Datacenter: string;
}

interface CheckEntry {
  view: AgentCheck;
  spec?: CheckSpec;
  /** Set by the control API: runner results are ignored until unpinned. */
  pinned: boolean;
}

export interface CheckRegistryHooks {
  /** Called inside the write that stores a critical status or removes the check. */
  onCheckDown(index: number, node: string, checkId: string): void;
  onCheckAdded(check: AgentCheck, spec: CheckSpec): void;
  onCheckRemoved(checkId: string): void;
}

export class CheckRegistry {
  private readonly services = new Map<string, AgentService>();
  private readonly checks = new Map<string, CheckEntry>();
  private serf!: CheckEntry;

  constructor(
    readonly node: string,
    private readonly raft: RaftIndex,
    private readonly hooks: CheckRegistryHooks,
  ) {
    this.reset();
  }

  /** Back to a fresh agent: no services, no checks, serfHealth passing. */
  reset(): void {
    for (const id of [...this.checks.keys()]) this.hooks.onCheckRemoved(id);
    this.services.clear();
    this.checks.clear();
    const index = this.raft.current();
    this.serf = {
      pinned: false,
      view: {
        ...blankCheck(this.node, SERF_CHECK_ID, 'Serf Health Status'),
        Status: 'passing',
        Output: 'Agent alive and reachable',
        CreateIndex: index,
        ModifyIndex: index,
      },
    };
  }

  nodeExists(node: string): boolean {
    return node === this.node;
  }

  /** Catalog view used for session validation: serfHealth plus every agent check. */
  checkStatus(node: string, checkId: string): string | undefined {
    if (node !== this.node) return undefined;
    return this.entry(checkId)?.view.Status;
  }

  agentChecks(): AgentCheck[] {
    return [...this.checks.values()].map((e) => e.view);
  }

  nodeChecks(): AgentCheck[] {
    return [this.serf.view, ...this.agentChecks()];
  }

  getCheck(checkId: string): AgentCheck | undefined {
    return this.checks.get(checkId)?.view;
  }

  getSpec(checkId: string): CheckSpec | undefined {
    return this.checks.get(checkId)?.spec;
  }

  getService(id: string): AgentService | undefined {
    return this.services.get(id);
  }

  allServices(): AgentService[] {
    return [...this.services.values()];
  }

  serviceChecks(serviceId: string): AgentCheck[] {
    return this.agentChecks().filter((c) => c.ServiceID === serviceId);
  }

  /** Registers (or re-registers) a service and its checks; kept check IDs keep status and output. */
  registerService(service: AgentService, checks: CheckSpec[], replaceExistingChecks: boolean): void {
    this.raft.write((index) => {
      this.services.set(service.ID, service);
      const keep = new Set(checks.map((c) => c.checkId));
      if (replaceExistingChecks) {
        for (const c of this.serviceChecks(service.ID)) if (!keep.has(c.CheckID)) this.removeCheck(index, c.CheckID);
      }
      for (const spec of checks) this.putCheck(index, spec, service);
    });
  }

  deregisterService(id: string): boolean {
    if (!this.services.has(id)) return false;
    this.raft.write((index) => {
      for (const c of this.serviceChecks(id)) this.removeCheck(index, c.CheckID);
      this.services.delete(id);
    });
    return true;
  }

  registerCheck(spec: CheckSpec): void {
    const service = spec.serviceId ? this.services.get(spec.serviceId) : undefined;
    this.raft.write((index) => this.putCheck(index, spec, service));
  }

  deregisterCheck(id: string): boolean {
    if (!this.checks.has(id)) return false;
    this.raft.write((index) => this.removeCheck(index, id));
    return true;
  }

  /**
   * A check result (runner, TTL endpoint or control API). Pinned checks ignore non-forced results.
   * A status change is a catalog write (new index); an output-only change is agent-local (no index).
   */
  updateStatus(checkId: string, status: string, output: string, options: { force?: boolean; pin?: boolean } = {}): boolean {
    const entry = this.entry(checkId);
    if (entry === undefined) return false;
    if (entry.pinned && !options.force) return true;
    if (options.pin !== undefined) entry.pinned = options.pin;
    if (entry.view.Status === status) {
      entry.view.Output = output;
      return true;
    }
    this.raft.write((index) => {
      entry.view.Status = status;
      entry.view.Output = output;
      entry.view.ModifyIndex = index;
      if (status === 'critical') this.hooks.onCheckDown(index, this.node, checkId);
    });
    return true;
  }

  unpin(checkId: string): boolean {
    const entry = this.entry(checkId);
    if (entry) entry.pinned = false;
    return entry !== undefined;
  }

  isPinned(checkId: string): boolean {
    return this.entry(checkId)?.pinned ?? false;
  }

  private entry(checkId: string): CheckEntry | undefined {
    return checkId === SERF_CHECK_ID ? this.serf : this.checks.get(checkId);
  }

  private putCheck(index: number, spec: CheckSpec, service: AgentService | undefined): void {
    const previous = this.checks.get(spec.checkId);
    if (previous) this.hooks.onCheckRemoved(spec.checkId);
    const view: AgentCheck = {
      ...blankCheck(this.node, spec.checkId, spec.name),
      // Re-registration restores the current status and output (snapshot) instead of resetting them.
      Status: previous?.view.Status ?? (spec.status || 'critical'),
      Output: previous?.view.Output ?? '',
      Notes: spec.notes,
      ServiceID: service?.ID ?? '',
      ServiceName: service?.Service ?? '',
      ServiceTags: service?.Tags ?? [],
      Type: checkType(spec),
      Interval: spec.intervalNs > 0n ? formatGoDuration(spec.intervalNs) : '',
      Timeout: spec.timeoutNs > 0n ? formatGoDuration(spec.timeoutNs) : '',
      CreateIndex: previous?.view.CreateIndex ?? index,
      ModifyIndex: index,
    };
    this.checks.set(spec.checkId, { view, spec, pinned: previous?.pinned ?? false });
    if (view.Status === 'critical' && previous?.view.Status !== 'critical') this.hooks.onCheckDown(index, this.node, spec.checkId);
    this.hooks.onCheckAdded(view, spec);
  }

  private removeCheck(index: number, checkId: string): void {
    this.checks.delete(checkId);
    this.hooks.onCheckRemoved(checkId);
    this.hooks.onCheckDown(index, this.node, checkId);
  }
}

function blankCheck(node: string, checkId: string, name: string): AgentCheck {
  return {
    Node: node,
    CheckID: checkId,
    Name: name,
    Status: 'critical',
    Notes: '',
    Output: '',
    ServiceID: '',
    ServiceName: '',
    ServiceTags: [],
    Type: '',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}
