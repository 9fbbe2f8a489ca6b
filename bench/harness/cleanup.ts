import { rmSync } from 'node:fs';

/**
 * Everything a bench or demo run leaves running or on disk, so that Ctrl-C, an error or a normal end
 * all leave nothing behind. Async disposers run first (graceful: SIGTERM, remove dirs); the synchronous
 * 'exit' hook is the last resort (SIGKILL by process group, never by name).
 */
export class Cleanup {
  private readonly groups = new Set<number>();
  private readonly dirs = new Set<string>();
  private readonly disposers: Array<() => Promise<void>> = [];
  private readonly children = new Set<Cleanup>();
  private running: Promise<void> | null = null;

  /** The root installs the 'exit' hook; scopes (one per benchmark configuration) hang below it. */
  constructor(private readonly parent?: Cleanup) {
    if (!parent) process.once('exit', () => this.lastResort());
  }

  /** A child scope, disposed on its own (end of a configuration) or with its parent (Ctrl-C). */
  scope(): Cleanup {
    const child = new Cleanup(this);
    this.children.add(child);
    return child;
  }

  /**
   * A process group leader (spawnProcess starts every child in its own group), forgotten once it has
   * exited so that a recycled pid is never signalled.
   */
  trackProcess(child: { pid: number; exited(): Promise<unknown> }): void {
    this.groups.add(child.pid);
    void child.exited().then(() => this.groups.delete(child.pid));
  }

  trackDir(dir: string): void {
    this.dirs.add(dir);
  }

  /** Runs in reverse order of registration (the proxy before the servers before Consul). */
  onDispose(dispose: () => Promise<void>): void {
    this.disposers.push(dispose);
  }

  /** True once dispose() has begun (Ctrl-C): start nothing new. */
  get disposing(): boolean {
    return this.running !== null;
  }

  /** Idempotent: the first call does the work, later calls wait for it. */
  dispose(): Promise<void> {
    this.running ??= (async () => {
      for (const child of [...this.children].reverse()) await child.dispose();
      for (const dispose of [...this.disposers].reverse()) await dispose().catch(() => undefined);
      this.lastResort();
      this.parent?.children.delete(this);
    })();
    return this.running;
  }

  /** Ctrl-C, SIGTERM and crashes end in dispose() and a non-zero exit. */
  installSignalHandlers(onSignal?: (signal: string) => void): void {
    const stop = (signal: string, code: number) => {
      onSignal?.(signal);
      void this.dispose().finally(() => process.exit(code));
    };
    process.once('SIGINT', () => stop('SIGINT', 130));
    process.once('SIGTERM', () => stop('SIGTERM', 143));
    process.once('SIGHUP', () => stop('SIGHUP', 129)); // the terminal (or tmux pane) went away
  }

  private lastResort(): void {
    for (const child of this.children) child.lastResort();
    for (const pid of this.groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    this.groups.clear();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.dirs.clear();
  }
}
