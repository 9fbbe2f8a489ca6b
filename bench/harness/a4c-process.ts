import { readFileSync } from 'node:fs';
import { spawnProcess, type SpawnedProcess } from '../../test/support/spawned-process.js';
import type { Cleanup } from './cleanup.js';

/** One election state change as printed by the elector, stamped with the time its line reached us. */
export interface Transition {
  atMs: number;
  from: string;
  to: string;
  reason: string;
}

/** What a timeline shows for an instance: its election state, or `down` while no process runs. */
export interface RoleEvent {
  atMs: number;
  role: string;
}

export interface HaStatus {
  role: 'leader' | 'backup' | 'activating' | 'deactivating';
  instanceId: string;
  leader: { id: string; url: string } | null;
  term: number;
  sessionId: string | null;
}

// "[HA] leader -> deactivating: shutdown requested { instanceId: ..." (see docs/architecture.md §7, convention 8)
const TRANSITION = /\[HA\] (\w+) -> (\w+): (.*?)(?: \{ instanceId: .*)?$/;

/**
 * One A4C server of a local cluster: a fixed port and instance id that survive restarts (like a
 * systemd unit), the current process, and the elector's transitions read from its log as they arrive.
 * The log lines carry only second-resolution timestamps, so we stamp them on arrival: the pipe delay is
 * the same for every line, which keeps differences between lines (deactivation time) exact to ~1 ms.
 */
/** The admin token of local clusters (bench, demo): with HA on, step-down needs one (docs/architecture.md §3). */
export const LOCAL_ADMIN_TOKEN = 'local-cluster-admin-token';

export class A4cProcess {
  process: SpawnedProcess | undefined;
  transitions: Transition[] = [];
  /** Process starts (`backup`), kills and exits (`down`) and election transitions, in arrival order. */
  roleEvents: RoleEvent[] = [];
  private partial = '';

  constructor(
    readonly index: number,
    readonly id: string,
    readonly port: number,
    private readonly command: { entry: string; configFile: string; cwd: string; args: string[] },
    private readonly cleanup: Cleanup,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.process !== undefined && !this.process.hasExited;
  }

  get pid(): number | undefined {
    return this.running ? this.process!.pid : undefined;
  }

  /** Starts the server and waits for its JSON ready line. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error(`${this.id} is already running`);
    const args = [this.command.entry, '--config', this.command.configFile, `--server.port=${this.port}`, `--ha.instanceId=${this.id}`, `--ha.adminToken=${LOCAL_ADMIN_TOKEN}`, ...this.command.args];
    const child = spawnProcess(process.execPath, args, { cwd: this.command.cwd });
    this.cleanup.trackProcess(child);
    this.process = child;
    this.partial = '';
    // from the spawn on (a booting process is a backup to be): the ready line is seen only by polling,
    // possibly after the first transition lines, which must stay in order
    this.pushRole('backup', Date.now());
    child.child.stdout?.on('data', (chunk: Buffer) => this.readLines(chunk.toString()));
    try {
      await child.readyLine(timeoutMs);
    } catch (error) {
      await child.stop('SIGKILL');
      throw error;
    }
  }

  /**
   * SIGKILL of the whole process group: a crash, nothing runs. Returns the time the signal was sent;
   * `exitSeenAtMs` is when its exit was seen (the process died in between).
   */
  async kill(): Promise<number> {
    const at = Date.now();
    await this.process?.stop('SIGKILL');
    this.exitSeenAtMs = Date.now();
    this.pushRole('down', at);
    return at;
  }

  /** When the last kill's exit was seen. */
  exitSeenAtMs = Number.NaN;

  /** SIGTERM (graceful: close the graph, release the lock); returns the send time, resolves on exit. */
  async terminate(timeoutMs = 15_000): Promise<{ sentAtMs: number; exitCode: number | null }> {
    const sentAtMs = Date.now();
    const exitCode = (await this.process?.stop('SIGTERM', timeoutMs)) ?? null;
    this.pushRole('down', Date.now());
    return { sentAtMs, exitCode };
  }

  async status(timeoutMs = 2_000): Promise<HaStatus | undefined> {
    if (!this.running) return undefined;
    try {
      const response = await fetch(`${this.url}/rest/admin/ha`, { signal: AbortSignal.timeout(timeoutMs) });
      return (await response.json()) as HaStatus;
    } catch {
      return undefined;
    }
  }

  async isActiveLeader(): Promise<boolean> {
    if (!this.running) return false;
    const response = await fetch(`${this.url}/rest/admin/ha/leader`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    await response?.arrayBuffer().catch(() => undefined);
    return response?.status === 200;
  }

  async metrics(): Promise<string | undefined> {
    if (!this.running) return undefined;
    const response = await fetch(`${this.url}/rest/admin/metrics`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    return response?.ok ? response.text() : undefined;
  }

  async stepDown(): Promise<number> {
    const response = await fetch(`${this.url}/rest/admin/ha/step-down`, {
      method: 'POST',
      headers: { authorization: `Bearer ${LOCAL_ADMIN_TOKEN}` },
      signal: AbortSignal.timeout(2_000),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** Resident set size in bytes from /proc/<pid>/status (VmRSS), undefined when not running. */
  rssBytes(): number | undefined {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    try {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** Transitions since `sinceMs`, across restarts of this instance (the list outlives a process). */
  transitionsSince(sinceMs: number): Transition[] {
    return this.transitions.filter((t) => t.atMs >= sinceMs);
  }

  private readLines(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    const now = Date.now();
    for (const line of lines) {
      const match = TRANSITION.exec(line);
      if (!match) continue;
      this.transitions.push({ atMs: now, from: match[1]!, to: match[2]!, reason: match[3]! });
      this.pushRole(match[2]!, now);
    }
    if (this.transitions.length > 2_000) this.transitions.splice(0, 1_000); // bounded over a long run
  }

  private pushRole(role: string, atMs: number): void {
    this.roleEvents.push({ atMs, role });
    if (this.roleEvents.length > 2_000) this.roleEvents.splice(0, 1_000);
  }
}
