import type { Scheduler } from './scheduler.js';

/**
 * One incarnation of an instance's process as the simulation sees it: running, frozen (SIGSTOP: it
 * takes no step, and whatever reaches it waits until it is continued) or crashed (gone for good: a
 * restart is a new incarnation). Every timer and every answer bound for the process passes its gate.
 */
export class SimProcess {
  private state: 'running' | 'frozen' | 'crashed' = 'running';
  private thawQueue: (() => void)[] = [];

  constructor(
    readonly instanceId: string,
    readonly incarnation: number,
    private readonly scheduler: Scheduler,
  ) {}

  get running(): boolean {
    return this.state === 'running';
  }

  get frozen(): boolean {
    return this.state === 'frozen';
  }

  get crashed(): boolean {
    return this.state === 'crashed';
  }

  /** Runs `step` in this process now, later if frozen, never if crashed. */
  deliver(step: () => void): void {
    if (this.state === 'crashed') return;
    if (this.state === 'frozen') this.thawQueue.push(step);
    else step();
  }

  /** Schedules `step` for this process `ms` from now (global time), through the gate. */
  after(ms: number, step: () => void) {
    return this.scheduler.after(ms, () => this.deliver(step));
  }

  freeze(): void {
    if (this.state === 'running') this.state = 'frozen';
  }

  /** SIGCONT: what piled up while frozen runs now, in arrival order. */
  thaw(): void {
    if (this.state !== 'frozen') return;
    this.state = 'running';
    const queued = this.thawQueue;
    this.thawQueue = [];
    for (const step of queued) this.scheduler.after(0, () => this.deliver(step));
  }

  crash(): void {
    this.state = 'crashed';
    this.thawQueue = [];
  }
}
