// Sessions (§2): validation at create, TTL timers at 2 × TTL, renew, and invalidation (destroy, TTL
// expiry, linked check critical or deregistered), which releases or deletes held keys and arms
// lock-delay in the same index.
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.js';
import { GoDurationError, SECOND_NS, formatGoDuration, nsToMs, parseGoDuration } from '../go-duration.js';
import { serverError } from '../http-error.js';
import type { KvStore } from './kv-store.js';
import type { RaftIndex } from './raft-index.js';
import { linkedCheckIds, type ServiceCheckRef, type SessionCreateRequest } from './session-request.js';

export interface Session {
  ID: string;
  Name: string;
  Node: string;
  LockDelay: number;
  Behavior: 'release' | 'delete';
  TTL: string;
  NodeChecks: string[];
  ServiceChecks: ServiceCheckRef[] | null;
  Checks?: string[];
  CreateIndex: number;
  ModifyIndex: number;
}

/** session_ttl_min default, and the fixed maximum (structs.SessionTTLMax). */
export const SESSION_TTL_MIN_NS = 10n * SECOND_NS;
export const SESSION_TTL_MAX_NS = 86_400n * SECOND_NS;
/** SessionTTLMultiplier: the leader's timer runs for twice the TTL. */
export const SESSION_TTL_MULTIPLIER = 2;

/** What the store needs to know about the catalog to validate linked checks. */
export interface CheckLookup {
  nodeExists(node: string): boolean;
  checkStatus(node: string, checkId: string): string | undefined;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly timers = new Map<string, TimerHandle>();
  /** The sessions table index (blocking queries on session reads use it). */
  tableIndex = 0;
  private timersSuspended = false;

  constructor(
    private readonly raft: RaftIndex,
    private readonly kv: KvStore,
    private readonly clock: Clock,
    private readonly catalog: CheckLookup,
  ) {}

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  list(): Session[] {
    return [...this.sessions.values()].sort((a, b) => a.CreateIndex - b.CreateIndex);
  }

  /** Server-side validation and insert; every refusal is a 500 with Consul's text. */
  create(request: SessionCreateRequest): Session {
    const behavior = request.behavior === '' ? 'release' : request.behavior;
    if (behavior !== 'release' && behavior !== 'delete') throw serverError(`Invalid Behavior setting '${request.behavior}'`);
    const ttlNs = parseTtl(request.ttl);
    return this.raft.write((index) => {
      if (!this.catalog.nodeExists(request.node)) throw serverError('Missing node registration');
      for (const checkId of linkedCheckIds(request)) {
        const status = this.catalog.checkStatus(request.node, checkId);
        if (status === undefined) throw serverError(`Missing check '${checkId}' registration`);
        if (status === 'critical') throw serverError(`Check '${checkId}' is in critical state`);
      }
      const session: Session = {
        ID: randomUUID(),
        Name: request.name,
        Node: request.node,
        LockDelay: Number(request.lockDelayNs),
        Behavior: behavior,
        TTL: request.ttl,
        NodeChecks: request.nodeChecks,
        ServiceChecks: request.serviceChecks,
        ...(request.checks ? { Checks: request.checks } : {}),
        CreateIndex: index,
        ModifyIndex: index,
      };
      this.sessions.set(session.ID, session);
      this.tableIndex = index;
      if (ttlNs > 0n && !this.timersSuspended) this.armTimer(session.ID, ttlNs);
      return session;
    });
  }

  /** Re-arms the 2 × TTL timer; undefined when the session does not exist (→ 404). */
  renew(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    const ttlNs = parseTtl(session.TTL);
    if (ttlNs > 0n && !this.timersSuspended) this.armTimer(id, ttlNs);
    return session;
  }

  /** Destroy endpoint and control API: always succeeds, an invalidation when the session exists. */
  destroy(id: string): void {
    if (!this.sessions.has(id)) return;
    this.raft.write((index) => this.invalidate(index, id));
  }

  /** Invalidates every session linked to `checkId` on `node`, inside the caller's write. */
  invalidateLinkedTo(index: number, node: string, checkId: string): string[] {
    const victims = this.list().filter(
      (s) => s.Node === node && linkedCheckIds({ checks: s.Checks ?? null, nodeChecks: s.NodeChecks, serviceChecks: s.ServiceChecks }).includes(checkId),
    );
    for (const s of victims) this.invalidate(index, s.ID);
    return victims.map((s) => s.ID);
  }

  /** Node deregistration (graceful leave, §12 P20): every session of the node, with or without checks. */
  invalidateNode(index: number, node: string): string[] {
    const victims = this.list().filter((s) => s.Node === node);
    for (const s of victims) this.invalidate(index, s.ID);
    return victims.map((s) => s.ID);
  }

  /** Leadership lost (§12 P24): the TTL timers live only on a leader, so they all stop. */
  suspendTimers(): void {
    this.timersSuspended = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  /** A new leader re-arms every TTL session at 2 × TTL from now, whatever its renewal history (§12 P24). */
  rearmAll(): void {
    this.timersSuspended = false;
    for (const s of this.sessions.values()) {
      const ttlNs = parseTtl(s.TTL);
      if (ttlNs > 0n) this.armTimer(s.ID, ttlNs);
    }
  }

  /** Removes the session and releases/deletes its keys with lock-delay, all at `index`. */
  invalidate(index: number, id: string): void {
    const session = this.sessions.get(id);
    if (session === undefined) return;
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
    this.sessions.delete(id);
    this.tableIndex = index;
    this.kv.invalidateSession(index, id, session.Behavior, nsToMs(BigInt(session.LockDelay)));
  }

  /** Drops every session without invalidation effects (control reset / close); stops all timers. */
  clear(index: number): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    this.sessions.clear();
    this.tableIndex = index;
  }

  private armTimer(id: string, ttlNs: bigint): void {
    this.timers.get(id)?.cancel();
    const ms = nsToMs(ttlNs) * SESSION_TTL_MULTIPLIER;
    this.timers.set(id, this.clock.setTimer(() => {
      this.timers.delete(id);
      this.destroy(id);
    }, ms));
  }
}

/** TTL string → ns; "" / "0" / "0s" → 0; parse and range errors with Consul's texts (500). */
export function parseTtl(ttl: string): bigint {
  if (ttl === '') return 0n;
  let ns: bigint;
  try {
    ns = parseGoDuration(ttl);
  } catch (error) {
    if (error instanceof GoDurationError) throw serverError(`Session TTL '${ttl}' invalid: ${error.message}`);
    throw error;
  }
  if (ns !== 0n && (ns < SESSION_TTL_MIN_NS || ns > SESSION_TTL_MAX_NS)) {
    throw serverError(`Invalid Session TTL '${ns}', must be between [${formatGoDuration(SESSION_TTL_MIN_NS)}=${formatGoDuration(SESSION_TTL_MAX_NS)}]`);
  }
  return ns;
}
