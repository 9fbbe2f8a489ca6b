// A staggered return after an outage: the servers' quorum and each agent come back at their own time,
// in any order (a rolling restart done in the wrong order, agents returning before their servers).
// The plan is validated up front by the cluster (every target down now, named once) and then run on
// timers here; a step whose target came back meanwhile is skipped by the cluster.

/** `servers` restores the quorum; any other target is an agent's node (restarted if killed or left, healed if cut off). */
export interface RecoveryStep {
  atMs: number;
  target: string;
}

export const SERVERS_TARGET = 'servers';

/** Reads `steps: [{ atMs, target }]` from a control body; throws `make(message)` for the first problem. */
export function parseRecoverySteps<E extends Error>(body: Record<string, unknown>, make: (message: string) => E): RecoveryStep[] {
  const raw = body.steps;
  if (!Array.isArray(raw) || raw.length === 0) throw make('steps must be a non-empty array of { atMs, target }');
  const seen = new Set<string>();
  return raw.map((item: unknown, i) => {
    const step = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const { atMs, target } = step;
    if (typeof atMs !== 'number' || !Number.isFinite(atMs) || atMs < 0) throw make(`steps[${i}].atMs must be a number of milliseconds >= 0`);
    if (typeof target !== 'string' || target === '') throw make(`steps[${i}].target must be "${SERVERS_TARGET}" or an agent's node`);
    if (seen.has(target)) throw make(`steps[${i}].target ${JSON.stringify(target)} is named twice`);
    seen.add(target);
    return { atMs, target };
  });
}

/** The timers of the steps not run yet; a step that fails is kept for GET /state. */
export class RecoverySchedule {
  private readonly pending = new Map<string, { dueAt: number; timer: NodeJS.Timeout }>();
  private lastError: string | null = null;

  has(target: string): boolean {
    return this.pending.has(target);
  }

  /** Runs `bringBack(target)` for each step at its time. */
  schedule(steps: readonly RecoveryStep[], bringBack: (target: string) => Promise<void>): void {
    const now = Date.now();
    for (const { atMs, target } of steps) {
      const timer = setTimeout(() => {
        this.pending.delete(target);
        bringBack(target).catch((error: unknown) => {
          this.lastError = `${target}: ${(error as Error).message}`;
        });
      }, atMs);
      timer.unref();
      this.pending.set(target, { dueAt: now + atMs, timer });
    }
  }

  clear(): void {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  snapshot() {
    return { pending: [...this.pending].map(([target, { dueAt }]) => ({ target, inMs: Math.max(0, dueAt - Date.now()) })), lastError: this.lastError };
  }
}
