// ACL mode (docs/consul-behaviour.md §7.1, §13): on when tokens or policies are configured. Each token
// is bound to policies (HCL rules, or the built-in `global-management` and `builtin/global-read-only`);
// a name without a rule for it falls back to the default policy (`deny` unless told). Requests without a
// token use the anonymous token (secret `anonymous`), which has no policy unless one is bound to it.
// The legacy form stays: plain secrets, the first one management, the others read-only.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Permission, type PolicyRules, grants, keyWritePrefix, mergeRules, ruleFor } from '../acl/policy-rules.js';
import { HttpError } from '../http-error.js';

export type { Permission } from '../acl/policy-rules.js';

export const MANAGEMENT_POLICY = 'global-management';
export const READ_ONLY_POLICY = 'builtin/global-read-only';
/** Consul's anonymous token: the one a request without a token gets, bindable like any other. */
export const ANONYMOUS_SECRET = 'anonymous';
const ANONYMOUS_ACCESSOR = '00000000-0000-0000-0000-000000000002';

export type DefaultPolicy = 'allow' | 'deny';

/** A policy that does not parse, or a token bound to a policy that does not exist: a configuration error. */
export class AclConfigError extends Error {}

export interface AclOptions {
  /** `SECRET` (legacy: first management, others read-only) or `{ secret, policies }`. */
  tokens?: ReadonlyArray<string | { secret: string; policies: readonly string[] }>;
  /** Policy name → its rules (parsed HCL). */
  policies?: ReadonlyMap<string, PolicyRules>;
  defaultPolicy?: DefaultPolicy;
}

export type Identity =
  | { kind: 'disabled' }
  /** `presented`: the request carried a token (the filtered-results header is only shown then). */
  | { kind: 'token'; accessorId: string; anonymous: boolean; management: boolean; rules: PolicyRules; presented: boolean };

/** A stable AccessorID per secret, shaped like a UUID, so denial texts look like Consul's. */
function accessorId(secret: string): string {
  const hex = createHash('sha256').update(secret).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Token sources, first match wins: `?token=`, `X-Consul-Token`, `Authorization: Bearer`. */
export function requestToken(req: IncomingMessage, query: URLSearchParams): string {
  const fromQuery = query.get('token');
  if (fromQuery) return fromQuery;
  const header = req.headers['x-consul-token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  const bearer = typeof auth === 'string' ? /^bearer\s+(.+)$/i.exec(auth.trim()) : null;
  return bearer ? bearer[1].trim() : '';
}

/** The read-only built-in: read on every prefix of every resource. */
function readOnlyRules(): PolicyRules {
  const rules = mergeRules([]);
  for (const resource of Object.keys(rules.prefix) as Array<keyof PolicyRules['prefix']>) rules.prefix[resource].set('', 'read');
  rules.global = { acl: 'read', mesh: 'read', operator: 'read', peering: 'read' };
  return rules;
}

interface BoundToken {
  management: boolean;
  rules: PolicyRules;
}

export class Acl {
  private readonly tokens = new Map<string, BoundToken>();
  private readonly defaultAllows: boolean;
  readonly enabled: boolean;

  constructor(options: AclOptions = {}) {
    const policies = new Map(options.policies ?? []);
    for (const name of [MANAGEMENT_POLICY, READ_ONLY_POLICY]) {
      if (policies.has(name)) throw new AclConfigError(`policy name ${JSON.stringify(name)} is built in`);
    }
    policies.set(READ_ONLY_POLICY, readOnlyRules());
    let legacy = 0;
    for (const token of options.tokens ?? []) {
      const { secret, names } = typeof token === 'string'
        ? { secret: token, names: [legacy++ === 0 ? MANAGEMENT_POLICY : READ_ONLY_POLICY] }
        : { secret: token.secret, names: token.policies };
      if (this.tokens.has(secret)) throw new AclConfigError(`token ${JSON.stringify(secret.slice(0, 4))}… is given twice`);
      const unknown = names.find((n) => n !== MANAGEMENT_POLICY && !policies.has(n));
      if (unknown !== undefined) throw new AclConfigError(`token bound to unknown policy ${JSON.stringify(unknown)} (policies: ${[...policies.keys()].join(', ')})`);
      this.tokens.set(secret, {
        management: names.includes(MANAGEMENT_POLICY),
        rules: mergeRules(names.filter((n) => n !== MANAGEMENT_POLICY).map((n) => policies.get(n)!)),
      });
    }
    this.enabled = this.tokens.size > 0 || (options.policies?.size ?? 0) > 0 || options.defaultPolicy !== undefined;
    this.defaultAllows = (options.defaultPolicy ?? 'deny') === 'allow';
  }

  /** Resolves the caller; an unknown token is 403 `ACL not found` before anything else happens. */
  identify(secret: string): Identity {
    if (!this.enabled) return { kind: 'disabled' };
    const presented = secret !== '';
    const key = presented ? secret : ANONYMOUS_SECRET;
    const anonymous = key === ANONYMOUS_SECRET;
    const bound = this.tokens.get(key) ?? (anonymous ? { management: false, rules: mergeRules([]) } : undefined);
    if (bound === undefined) throw new HttpError(403, 'ACL not found');
    return { kind: 'token', accessorId: anonymous ? ANONYMOUS_ACCESSOR : accessorId(key), anonymous, presented, ...bound };
  }

  /** Whether `identity` has `permission` on `resource` (a node, key, service ... name; '' for global resources). */
  allows(identity: Identity, permission: Permission, resource: string): boolean {
    if (identity.kind === 'disabled' || identity.management) return true;
    const [kind, needed] = permission.split(':') as [Parameters<typeof ruleFor>[1], 'read' | 'list' | 'write'];
    const rule = ruleFor(identity.rules, kind, resource);
    return rule === undefined ? this.defaultAllows : grants(rule, needed);
  }

  /** `key:write` on every key under `prefix` (recursive delete). */
  allowsKeyTree(identity: Identity, prefix: string): boolean {
    if (identity.kind === 'disabled' || identity.management) return true;
    return keyWritePrefix(identity.rules, prefix) ?? this.defaultAllows;
  }

  /** Throws Consul's 403 when `identity` lacks `permission` on `resource`. */
  require(identity: Identity, permission: Permission, resource: string): void {
    if (this.allows(identity, permission, resource)) return;
    throw this.denied(identity, permission, resource);
  }

  /** Consul's wording: who, which permission, on which name (no name for global resources). */
  denied(identity: Identity, permission: Permission, resource: string): HttpError {
    if (identity.kind === 'disabled') return new HttpError(403, 'Permission denied');
    const who = identity.anonymous ? 'anonymous token' : `token with AccessorID '${identity.accessorId}'`;
    const on = resource === '' ? '' : ` on "${resource}"`; // Go quotes the name as is, without escaping
    const tail = identity.anonymous ? '. The anonymous token is used implicitly when a request does not specify a token.' : '';
    return new HttpError(403, `Permission denied: ${who} lacks permission '${permission}'${on}${tail}`);
  }
}

/** `X-Consul-Results-Filtered-By-ACLs: true` when ACLs hid part of a list, shown only to a caller that sent a token. */
export function markFiltered(res: ServerResponse, identity: Identity, filtered: boolean): void {
  if (filtered && identity.kind === 'token' && identity.presented) res.setHeader('X-Consul-Results-Filtered-By-ACLs', 'true');
}
