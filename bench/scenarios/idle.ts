import type { LocalCluster } from '../harness/local-cluster.js';
import type { Progress } from '../report/progress.js';

export interface IdleInstance {
  id: string;
  role: string;
  requestsPerMinute: number;
  byEndpoint: Record<string, number>;
  rssBytes: number | undefined;
}

/**
 * Consul requests per instance per minute with no transition and no user traffic: what a steady cluster
 * costs the Consul agent (session renewals, blocking reads that time out, check registration), counted
 * by each instance's counting proxy over `seconds`.
 */
export async function measureIdle(cluster: LocalCluster, seconds: number, progress: Progress, label: string): Promise<IdleInstance[]> {
  for (const counter of cluster.consulCounters) counter.reset();
  const started = Date.now();
  const until = started + seconds * 1000;
  while (Date.now() < until) {
    progress.update(`${label}: idle, counting Consul requests (${Math.ceil((until - Date.now()) / 1000)} s left)`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(0, until - Date.now()))));
  }
  const minutes = (Date.now() - started) / 60_000;
  return Promise.all(
    cluster.instances.map(async (instance, n) => {
      const counts = cluster.consulCounters[n]!.snapshot();
      return {
        id: instance.id,
        role: (await instance.status())?.role ?? 'down',
        requestsPerMinute: counts.total / minutes,
        byEndpoint: counts.byEndpoint,
        rssBytes: instance.rssBytes(),
      };
    }),
  );
}
