// ACL mode (§7.1), on when tokens are configured. The first token is a management token (every right);
// any further token is read-only (`*:read`), so tests can provoke a `Permission denied` for a known
// token too. Requests without a token use the anonymous token, which has no rights.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http-error.js';

export type Permission = `${'key' | 'session' | 'service' | 'node' | 'agent' | 'operator'}:${'read' | 'write'}`;

export type Identity =
  | { kind: 'disabled' }
  | { kind: 'anonymous' }
  | { kind: 'token'; accessorId: string; management: boolean };

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

export class Acl {
  private readonly tokens: Map<string, { management: boolean }>;

  constructor(tokens: readonly string[]) {
    this.tokens = new Map(tokens.map((t, i) => [t, { management: i === 0 }]));
  }

  get enabled(): boolean {
    return this.tokens.size > 0;
  }

  /** Resolves the caller; an unknown token is 403 `ACL not found` before anything else happens. */
  identify(token: string): Identity {
    if (!this.enabled) return { kind: 'disabled' };
    if (token === '') return { kind: 'anonymous' };
    const known = this.tokens.get(token);
    if (known === undefined) throw new HttpError(403, 'ACL not found');
    return { kind: 'token', accessorId: accessorId(token), management: known.management };
  }

  allows(identity: Identity, permission: Permission): boolean {
    switch (identity.kind) {
      case 'disabled':
        return true;
      case 'anonymous':
        return false;
      case 'token':
        return identity.management || permission.endsWith(':read');
      default: {
        const never: never = identity;
        return never;
      }
    }
  }

  /** Throws Consul's 403 when `identity` lacks `permission` on `resource`. */
  require(identity: Identity, permission: Permission, resource: string): void {
    if (this.allows(identity, permission)) return;
    const on = JSON.stringify(resource);
    if (identity.kind === 'token') {
      throw new HttpError(403, `Permission denied: token with AccessorID '${identity.accessorId}' lacks permission '${permission}' on ${on}`);
    }
    throw new HttpError(
      403,
      `Permission denied: anonymous token lacks permission '${permission}' on ${on}. The anonymous token is used implicitly when a request does not specify a token.`,
    );
  }
}
