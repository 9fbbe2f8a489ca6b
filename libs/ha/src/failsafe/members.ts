import type { ServiceInstance } from '../consul/consul.port.js';
import type { LeaderValue, Member } from '../election/leader-value.js';
import { instanceIdOf, memberUrl } from '../http/cluster-view.js';

/**
 * The leader key's `members` (docs/architecture.md, rule 13): every instance of the service whose checks
 * pass, plus the leader itself (its own check may lag its health by a period), sorted by id so that two
 * readings of the same set compare equal.
 */
export function membersOf(instances: ServiceInstance[], serviceName: string, protocol: string, self: Member): Member[] {
  const byId = new Map<string, Member>([[self.id, self]]);
  for (const instance of instances) {
    if (instance.checkStatus !== 'passing') continue;
    const id = instanceIdOf(instance.serviceId, serviceName);
    if (!byId.has(id)) byId.set(id, { id, url: memberUrl(protocol, instance.address, instance.port) });
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function sameMembers(a: readonly Member[] | undefined, b: readonly Member[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return a === b;
  return a.every((member, i) => member.id === b[i].id && member.url === b[i].url);
}

/** Every member of any of the lists, once (by id): a write whose fate is unknown counts as written. */
export function unionOf(...lists: readonly (readonly Member[])[]): Member[] {
  const byId = new Map<string, Member>();
  for (const list of lists) for (const member of list) byId.set(member.id, member);
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Whether a key's value lets this instance race freely for the key once it is free: yes when it lists us,
 * or lists nobody (a leader of an older version, or one that has not written its members yet: it cannot
 * be on failsafe either, since a failsafe needs a written list).
 */
export function listedIn(value: LeaderValue | null, instanceId: string): boolean {
  return !value?.members || value.members.some((member) => member.id === instanceId);
}
