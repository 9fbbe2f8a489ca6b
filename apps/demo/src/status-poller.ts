import type { A4cProcess } from '../../../bench/harness/a4c-process.js';
import type { InstanceView } from './status-view.js';

/**
 * Polls every running instance's status and health routes a few times a second (the same routes an
 * operator or Consul would use) and keeps the latest view of each. Bounded: one poll at a time, each
 * request with a short timeout.
 */
export class StatusPoller {
  private views = new Map<string, InstanceView>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly instances: readonly A4cProcess[],
    private readonly phaseOf: (instance: A4cProcess) => 'starting' | 'stopping' | undefined,
    private readonly intervalMs = 300,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.pollOnce(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  current(): InstanceView[] {
    return this.instances.map((i) => this.views.get(i.id) ?? offline(i, this.phaseOf(i) ?? 'down'));
  }

  /** The instance that reports itself leader (full graph up); null when nobody does. */
  leader(): { id: string; term: number } | null {
    const view = this.current().find((v) => v.role === 'leader');
    return view ? { id: view.id, term: view.term ?? 0 } : null;
  }

  async pollOnce(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const views = await Promise.all(this.instances.map((i) => this.view(i)));
      this.views = new Map(views.map((v) => [v.id, v]));
    } finally {
      this.polling = false;
    }
  }

  private async view(instance: A4cProcess): Promise<InstanceView> {
    const phase = this.phaseOf(instance);
    if (!instance.running || phase) return offline(instance, phase ?? 'down');
    const [status, health] = await Promise.all([instance.status(500), healthOf(instance.url)]);
    return {
      id: instance.id,
      port: instance.port,
      pid: instance.pid,
      role: status?.role ?? '?',
      health,
      term: status?.term,
      rssBytes: instance.rssBytes(),
    };
  }
}

function offline(instance: A4cProcess, role: 'starting' | 'stopping' | 'down'): InstanceView {
  return { id: instance.id, port: instance.port, pid: instance.pid, role, health: '?', term: undefined, rssBytes: instance.rssBytes() };
}

async function healthOf(url: string): Promise<'up' | 'down' | '?'> {
  const response = await fetch(`${url}/rest/admin/health`, { signal: AbortSignal.timeout(500) }).catch(() => undefined);
  if (!response) return '?';
  await response.arrayBuffer().catch(() => undefined);
  return response.status === 200 ? 'up' : 'down';
}
