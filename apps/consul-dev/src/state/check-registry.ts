// One node's services and checks, in two views: the agent's own (what /v1/agent/* answers, where the
// check runner writes) and the catalog's copy on the servers (what sessions are validated against and
// what /v1/health and /v1/catalog answer), plus the catalog-only `serfHealth` (§12 P8). While the
// agent is online (it reaches the servers and they have a leader) every agent change is synced at once
// in one index, as Consul's triggered anti-entropy does; offline, only the agent view changes and
// sync() pushes the difference later (§12 P9, P16). A catalog check written critical, or removed,
// invalidates the sessions linked to it in the same index (§2.7).
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

export type CatalogService = AgentService & { CreateIndex: number; ModifyIndex: number };

interface CheckEntry {
  view: AgentCheck;
  spec?: CheckSpec;
  /** Set by the control API: runner results are ignored until unpinned. */
  pinned: boolean;
}

/** The servers' copy of this node; absent while the node is not registered (it left). */
interface NodeCatalog {
  createIndex: number;
  serf: CheckEntry;
  services: Map<string, CatalogService>;
  checks: Map<string, AgentCheck>;
}

export interface CheckRegistryHooks {
  /** Called inside the write that stores a critical status or removes the check. */
  onCheckDown(index: number, node: string, checkId: string): void;
  onCheckAdded(check: AgentCheck, spec: CheckSpec): void;
  onCheckRemoved(checkId: string): void;
  /** Called inside every write that changes this node's catalog entry. */
  onCatalogWrite(index: number): void;
}

export const SERF_ALIVE = 'Agent alive and reachable';
export const SERF_FAILED = 'Agent not live or unreachable';

const REGISTRATION_FIELDS = ['Status', 'Name', 'Notes', 'ServiceID', 'ServiceName', 'Type', 'Interval', 'Timeout'] as const;

function checkDiffers(agent: AgentCheck, catalog: AgentCheck | undefined): boolean {
  if (catalog === undefined) return true;
  return REGISTRATION_FIELDS.some((f) => agent[f] !== catalog[f]) || agent.ServiceTags.join('\n') !== catalog.ServiceTags.join('\n');
}

function serviceDiffers(agent: AgentService, catalog: CatalogService | undefined): boolean {
  if (catalog === undefined) return true;
  const { CreateIndex: _c, ModifyIndex: _m, ...rest } = catalog;
  return JSON.stringify(agent) !== JSON.stringify(rest);
}

export class CheckRegistry {
  private readonly services = new Map<string, AgentService>();
  private readonly checks = new Map<string, CheckEntry>();
  private catalog: NodeCatalog | null = null;
  /** The agent reaches the servers and they have a leader: changes sync at once. */
  online = true;

  constructor(
    readonly node: string,
    private readonly raft: RaftIndex,
    private readonly hooks: CheckRegistryHooks,
  ) {
    this.reset();
  }

  /** Back to a fresh agent: no services, no checks, registered in the catalog with serfHealth passing. */
  reset(): void {
    this.clearAgent();
    this.catalog = freshCatalog(this.node, this.raft.current());
  }

  /** Forgets every local registration (a restart after a leave comes back empty). */
  clearAgent(): void {
    for (const id of [...this.checks.keys()]) this.hooks.onCheckRemoved(id);
    this.services.clear();
    this.checks.clear();
  }

  nodeExists(node: string): boolean {
    return node === this.node && this.catalog !== null;
  }

  get catalogCreateIndex(): number {
    return this.catalog?.createIndex ?? 0;
  }

  /** Catalog view used for session validation: serfHealth plus the synced checks. */
  checkStatus(node: string, checkId: string): string | undefined {
    if (node !== this.node || this.catalog === null) return undefined;
    return checkId === SERF_CHECK_ID ? this.catalog.serf.view.Status : this.catalog.checks.get(checkId)?.Status;
  }

  agentChecks(): AgentCheck[] {
    return [...this.checks.values()].map((e) => e.view);
  }

  /** serfHealth (catalog) followed by the agent's checks: the single-agent inspection view. */
  nodeChecks(): AgentCheck[] {
    return [...(this.catalog ? [this.catalog.serf.view] : []), ...this.agentChecks()];
  }

  /** The catalog's copy of this node's checks, serfHealth first; empty when the node left. */
  catalogChecks(): AgentCheck[] {
    return this.catalog ? [this.catalog.serf.view, ...this.catalog.checks.values()] : [];
  }

  catalogServices(): CatalogService[] {
    return this.catalog ? [...this.catalog.services.values()] : [];
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
    this.services.set(service.ID, service);
    const keep = new Set(checks.map((c) => c.checkId));
    if (replaceExistingChecks) {
      for (const c of this.serviceChecks(service.ID)) if (!keep.has(c.CheckID)) this.removeCheck(c.CheckID);
    }
    for (const spec of checks) this.putCheck(spec, service);
    this.sync();
  }

  deregisterService(id: string): boolean {
    if (!this.services.has(id)) return false;
    for (const c of this.serviceChecks(id)) this.removeCheck(c.CheckID);
    this.services.delete(id);
    this.sync();
    return true;
  }

  registerCheck(spec: CheckSpec): void {
    const service = spec.serviceId ? this.services.get(spec.serviceId) : undefined;
    this.putCheck(spec, service);
    this.sync();
  }

  deregisterCheck(id: string): boolean {
    if (!this.checks.has(id)) return false;
    this.removeCheck(id);
    this.sync();
    return true;
  }

  /**
   * A check result (runner, TTL endpoint or control API). Pinned checks ignore non-forced results.
   * A status change is synced to the catalog (new index) when online; an output-only change stays
   * agent-local (no index). serfHealth lives in the catalog only and is written there directly.
   */
  updateStatus(checkId: string, status: string, output: string, options: { force?: boolean; pin?: boolean } = {}): boolean {
    if (checkId === SERF_CHECK_ID) return this.updateSerf(status, output, options);
    const entry = this.checks.get(checkId);
    if (entry === undefined) return false;
    if (entry.pinned && !options.force) return true;
    if (options.pin !== undefined) entry.pinned = options.pin;
    entry.view.Output = output;
    if (entry.view.Status !== status) {
      entry.view.Status = status;
      this.sync();
    }
    return true;
  }

  /**
   * Anti-entropy: pushes every difference between the agent view and the catalog in one index
   * (nothing when in sync or offline). Returns the index written, or undefined.
   */
  sync(): number | undefined {
    const catalog = this.catalog;
    if (catalog === null || !this.online) return undefined;
    const changed = [...this.checks.values()].filter((e) => checkDiffers(e.view, catalog.checks.get(e.view.CheckID)));
    const removed = [...catalog.checks.keys()].filter((id) => !this.checks.has(id));
    const services = [...this.services.values()].filter((s) => serviceDiffers(s, catalog.services.get(s.ID)));
    const goneServices = [...catalog.services.keys()].filter((id) => !this.services.has(id));
    if (changed.length + removed.length + services.length + goneServices.length === 0) return undefined;
    return this.raft.write((index) => {
      for (const s of services) catalog.services.set(s.ID, { ...s, CreateIndex: catalog.services.get(s.ID)?.CreateIndex ?? index, ModifyIndex: index });
      for (const id of goneServices) catalog.services.delete(id);
      for (const id of removed) {
        catalog.checks.delete(id);
        this.hooks.onCheckDown(index, this.node, id);
      }
      for (const { view } of changed) {
        const before = catalog.checks.get(view.CheckID)?.Status;
        if (view.CreateIndex === 0) view.CreateIndex = index;
        view.ModifyIndex = index;
        catalog.checks.set(view.CheckID, { ...view, ServiceTags: [...view.ServiceTags] });
        if (view.Status === 'critical' && before !== 'critical') this.hooks.onCheckDown(index, this.node, view.CheckID);
      }
      this.hooks.onCatalogWrite(index);
      return index;
    });
  }

  /** Server side: the node is deregistered (graceful leave) inside the caller's write. */
  leaveCatalog(index: number): void {
    if (this.catalog === null) return;
    this.catalog = null;
    this.hooks.onCatalogWrite(index);
  }

  /** Server side: the node (re)joins the catalog with serfHealth passing, inside the caller's write. */
  joinCatalog(index: number): void {
    if (this.catalog !== null) return;
    this.catalog = freshCatalog(this.node, index);
    this.hooks.onCatalogWrite(index);
  }

  /** Agent restart (§12 P21): HTTP checks start critical again, TTL checks keep their state; all run again. */
  restartChecks(): void {
    for (const entry of this.checks.values()) {
      if (entry.view.Type === 'http') {
        entry.view.Status = 'critical';
        entry.view.Output = '';
      }
      if (entry.spec) this.hooks.onCheckAdded(entry.view, entry.spec);
    }
  }

  /** The agent process is gone: its checks stop running (the catalog keeps their last synced state). */
  stopChecks(): void {
    for (const id of this.checks.keys()) this.hooks.onCheckRemoved(id);
  }

  unpin(checkId: string): boolean {
    const entry = this.entry(checkId);
    if (entry) entry.pinned = false;
    return entry !== undefined;
  }

  isPinned(checkId: string): boolean {
    return this.entry(checkId)?.pinned ?? false;
  }

  private updateSerf(status: string, output: string, options: { force?: boolean; pin?: boolean }): boolean {
    const serf = this.catalog?.serf;
    if (serf === undefined) return false;
    if (serf.pinned && !options.force) return true;
    if (options.pin !== undefined) serf.pinned = options.pin;
    if (serf.view.Status === status) {
      serf.view.Output = output;
      return true;
    }
    this.raft.write((index) => {
      serf.view.Status = status;
      serf.view.Output = output;
      serf.view.ModifyIndex = index;
      this.hooks.onCatalogWrite(index);
      if (status === 'critical') this.hooks.onCheckDown(index, this.node, SERF_CHECK_ID);
    });
    return true;
  }

  private entry(checkId: string): CheckEntry | undefined {
    return checkId === SERF_CHECK_ID ? this.catalog?.serf : this.checks.get(checkId);
  }

  private putCheck(spec: CheckSpec, service: AgentService | undefined): void {
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
      CreateIndex: previous?.view.CreateIndex ?? 0,
      ModifyIndex: previous?.view.ModifyIndex ?? 0,
    };
    this.checks.set(spec.checkId, { view, spec, pinned: previous?.pinned ?? false });
    this.hooks.onCheckAdded(view, spec);
  }

  private removeCheck(checkId: string): void {
    this.checks.delete(checkId);
    this.hooks.onCheckRemoved(checkId);
  }
}

function freshCatalog(node: string, index: number): NodeCatalog {
  const serf: AgentCheck = { ...blankCheck(node, SERF_CHECK_ID, 'Serf Health Status'), Status: 'passing', Output: SERF_ALIVE, CreateIndex: index, ModifyIndex: index };
  return { createIndex: index, serf: { view: serf, pinned: false }, services: new Map(), checks: new Map() };
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
