// ACL rules as Consul evaluates them (docs/consul-behaviour.md §13): per resource, exact rules (`key`)
// and prefix rules (`key_prefix`); for a name, an exact rule on that very name wins, otherwise the rule
// with the longest matching prefix; no matching rule defers to the default policy. Several policies on
// one token are merged first: for the same rule, deny beats write, write beats list, list beats read.

/** Resources whose rules name a segment (node, key, service ...), exact or by prefix. */
export const SEGMENTED = ['agent', 'event', 'key', 'node', 'query', 'service', 'session'] as const;
/** Resources with one rule for everything (`operator = "read"`). */
export const GLOBAL = ['acl', 'keyring', 'mesh', 'operator', 'peering'] as const;

export type SegmentedResource = (typeof SEGMENTED)[number];
export type GlobalResource = (typeof GLOBAL)[number];
export type Resource = SegmentedResource | GlobalResource;
export type Access = 'read' | 'list' | 'write' | 'deny';
export const ACCESS_LEVELS: readonly Access[] = ['read', 'list', 'write', 'deny'];

/** What a request needs: `key:write` on "service/a4c/leader". */
export type Permission = `${Resource}:${'read' | 'list' | 'write'}`;

export interface PolicyRules {
  exact: Record<SegmentedResource, Map<string, Access>>;
  prefix: Record<SegmentedResource, Map<string, Access>>;
  global: Partial<Record<GlobalResource, Access>>;
}

export function emptyRules(): PolicyRules {
  const maps = () => Object.fromEntries(SEGMENTED.map((r) => [r, new Map<string, Access>()])) as Record<SegmentedResource, Map<string, Access>>;
  return { exact: maps(), prefix: maps(), global: {} };
}

const PRECEDENCE: Record<Access, number> = { deny: 3, write: 2, list: 1, read: 0 };

/** When two policies of one token set the same rule, the stronger disposition stays (deny > write > list > read). */
function stronger(a: Access | undefined, b: Access): Access {
  return a === undefined || PRECEDENCE[b] > PRECEDENCE[a] ? b : a;
}

export function mergeRules(all: readonly PolicyRules[]): PolicyRules {
  const merged = emptyRules();
  for (const rules of all) {
    for (const resource of SEGMENTED) {
      for (const kind of ['exact', 'prefix'] as const) {
        for (const [name, access] of rules[kind][resource]) merged[kind][resource].set(name, stronger(merged[kind][resource].get(name), access));
      }
    }
    for (const resource of GLOBAL) {
      const access = rules.global[resource];
      if (access !== undefined) merged.global[resource] = stronger(merged.global[resource], access);
    }
  }
  return merged;
}

/** The rule that governs `name`: exact on the name, else the longest matching prefix; undefined when none. */
export function ruleFor(rules: PolicyRules, resource: Resource, name: string): Access | undefined {
  if ((GLOBAL as readonly string[]).includes(resource)) return rules.global[resource as GlobalResource];
  const segmented = resource as SegmentedResource;
  const exact = rules.exact[segmented].get(name);
  if (exact !== undefined) return exact;
  let best: { length: number; access: Access } | undefined;
  for (const [prefix, access] of rules.prefix[segmented]) {
    if (name.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = { length: prefix.length, access };
  }
  return best?.access;
}

/** Whether a rule's disposition grants `needed` (write grants everything, list grants read, deny nothing). */
export function grants(rule: Access, needed: 'read' | 'list' | 'write'): boolean {
  switch (rule) {
    case 'write':
      return true;
    case 'list':
      return needed !== 'write';
    case 'read':
      return needed === 'read';
    case 'deny':
      return false;
    default: {
      const never: never = rule;
      return never;
    }
  }
}

/**
 * `key:write` on a whole prefix (a recursive delete): the rule governing the prefix must grant write
 * and no rule inside it (exact or prefix) may grant less. Undefined when no rule governs it and none inside objects.
 */
export function keyWritePrefix(rules: PolicyRules, prefix: string): boolean | undefined {
  let base: boolean | undefined;
  let longest = -1;
  for (const [p, access] of rules.prefix.key) {
    if (prefix.startsWith(p) && p.length > longest) {
      longest = p.length;
      base = access === 'write';
    }
  }
  if (base === false) return false;
  for (const kind of ['exact', 'prefix'] as const) {
    for (const [name, access] of rules[kind].key) if (name.startsWith(prefix) && access !== 'write') return false;
  }
  return base;
}
