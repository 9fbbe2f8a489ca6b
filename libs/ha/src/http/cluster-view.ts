import type { CheckStatus, ConsulPort } from '../consul/consul.port.js';
import { parseLeaderValue } from '../election/leader-value.js';

/** One instance of the service as Consul lists it, with what it reports of itself (null: no answer). */
export interface ClusterMember {
  instanceId: string;
  url: string;
  checkStatus: CheckStatus;
  role: string | null;
  acting: boolean | null;
  term: number | null;
}

/** The answer of `GET /rest/admin/ha/cluster`. */
export interface ClusterView {
  leader: { id: string; url: string; term: number; since: string } | null;
  members: ClusterMember[];
}

export interface ClusterViewSource {
  consul: ConsulPort;
  serviceName: string;
  leaderKey: string;
  /** Bound of each member's status request: a hung member must not stall the view. */
  memberTimeoutMs: number;
  /** `ha.serverProtocol`: every instance of a cluster shares it. */
  protocol: string;
  fetchImpl?: typeof fetch;
}

/** Reads the catalog and the leader key from Consul, then asks every member for its status, in parallel. */
export async function readClusterView(source: ClusterViewSource): Promise<ClusterView> {
  const [instances, key] = await Promise.all([source.consul.listServiceInstances(source.serviceName), source.consul.readKey(source.leaderKey)]);
  const value = key.entry?.session ? parseLeaderValue(key.entry.value) : null;
  const members = await Promise.all(
    instances.map(async (instance): Promise<ClusterMember> => {
      const url = memberUrl(source.protocol, instance.address, instance.port);
      const status = await memberStatus(url, source.memberTimeoutMs, source.fetchImpl ?? fetch);
      return {
        instanceId: instanceIdOf(instance.serviceId, source.serviceName),
        url,
        checkStatus: instance.checkStatus,
        role: status?.role ?? null,
        acting: status?.acting ?? null,
        term: status?.term ?? null,
      };
    }),
  );
  members.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  return { leader: value ? { id: value.id, url: value.url, term: value.term, since: value.since } : null, members };
}

/** The service id is `<serviceName>-<instanceId>` (how the elector registers it). */
export function instanceIdOf(serviceId: string, serviceName: string): string {
  return serviceId.startsWith(`${serviceName}-`) ? serviceId.slice(serviceName.length + 1) : serviceId;
}

/** `<serverProtocol>://<Address>:<Port>`, as the elector registers the service. */
export function memberUrl(protocol: string, address: string, port: number): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `${protocol}://${host}:${port}`;
}

/** What a member says of itself on `GET /rest/admin/ha`; null when it does not answer in time. */
export async function memberStatus(url: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<{ role: string; acting: boolean; term: number } | null> {
  try {
    const response = await fetchImpl(`${url}/rest/admin/ha`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    const body = (await response.json()) as { role?: unknown; acting?: unknown; term?: unknown };
    if (typeof body.role !== 'string') return null;
    return { role: body.role, acting: body.acting === true, term: typeof body.term === 'number' ? body.term : 0 };
  } catch {
    return null;
  }
}
