import { ConsulClientAdapter } from '../consul/consul-client.adapter.js';
import { describeError } from '../consul/consul-errors.js';
import { readClusterView, type ClusterMember, type ClusterView } from '../http/cluster-view.js';
import type { TransitionRecord } from '../metrics/transition-history.js';
import type { CliSettings } from './cli-config.js';
import { CliFailure } from './cli-errors.js';

/** Bound of each member request: a hung member shows as "no answer" instead of stalling the CLI. */
const MEMBER_TIMEOUT_MS = 1_500;

export interface MemberRow extends ClusterMember {
  /** Seconds since this member last proved it holds the lock (its lease gauge); null when it does not hold it. */
  leaseProvenAgoSeconds: number | null;
}

export interface ClusterSnapshot {
  leader: ClusterView['leader'];
  members: MemberRow[];
}

/** Opens the Consul connection of the settings for the length of `work`. */
export async function withConsul<T>(settings: CliSettings, work: (consul: ConsulClientAdapter) => Promise<T>): Promise<T> {
  const consul = new ConsulClientAdapter(settings.consul);
  try {
    return await work(consul);
  } finally {
    consul.close();
  }
}

/** The cluster as Consul lists it, each member's own status, and its lease age from its metrics. */
export async function readSnapshot(settings: CliSettings, consul: ConsulClientAdapter): Promise<ClusterSnapshot> {
  let view: ClusterView;
  try {
    view = await readClusterView({
      consul,
      serviceName: settings.config.serviceName,
      leaderKey: settings.config.leaderKey,
      protocol: settings.config.serverProtocol,
      memberTimeoutMs: MEMBER_TIMEOUT_MS,
    });
  } catch (error) {
    throw new CliFailure(`cannot reach Consul at ${settings.consulUrl}: ${describeError(error)}`);
  }
  const members = await Promise.all(view.members.map(async (m) => ({ ...m, leaseProvenAgoSeconds: m.role === null ? null : await leaseAge(m.url) })));
  return { leader: view.leader, members };
}

/** `a4c_ha_lease_proven_age_seconds` from the member's metrics route (NaN there means "not holding"). */
async function leaseAge(url: string): Promise<number | null> {
  try {
    const response = await fetch(`${url}/rest/admin/metrics`, { signal: AbortSignal.timeout(MEMBER_TIMEOUT_MS) });
    if (!response.ok) return null;
    const line = (await response.text()).split('\n').find((l) => l.startsWith('a4c_ha_lease_proven_age_seconds '));
    const value = line === undefined ? Number.NaN : Number(line.split(' ')[1]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** One member's recent transitions (`GET /rest/admin/ha/history`), null when it does not answer. */
export async function memberHistory(url: string): Promise<TransitionRecord[] | null> {
  try {
    const response = await fetch(`${url}/rest/admin/ha/history`, { signal: AbortSignal.timeout(MEMBER_TIMEOUT_MS) });
    if (!response.ok) return null;
    const body = (await response.json()) as { transitions?: TransitionRecord[] };
    return Array.isArray(body.transitions) ? body.transitions : null;
  } catch {
    return null;
  }
}

/** The members that answer 200 on their leader probe right now, as they report it. */
export function actingMembers(snapshot: ClusterSnapshot): MemberRow[] {
  return snapshot.members.filter((m) => m.acting === true);
}
