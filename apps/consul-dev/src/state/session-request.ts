// Decoding of a `PUT /v1/session/create` body (§2.2): Consul's custom decoder ignores unknown fields,
// reads LockDelay as a duration string or a number (values below 1000 are seconds), and then runs
// fixupEmptySessionChecks, which decides which checks end up linked.
import { GoDurationError, SECOND_NS, parseGoDuration } from '../go-duration.js';
import { HttpError } from '../http-error.js';
import { asString, asStringList, decodeError, pickFields } from '../http/request-body.js';

export const SERF_CHECK_ID = 'serfHealth';
/** Consul's default lock-delay when the body has none. */
export const DEFAULT_LOCK_DELAY_NS = 15n * SECOND_NS;
/** lockDelayMinThreshold: a LockDelay below this many nanoseconds is read as seconds. */
const LOCK_DELAY_MIN_THRESHOLD = 1000n;

export interface ServiceCheckRef {
  ID: string;
  Namespace: string;
}

export interface SessionCreateRequest {
  name: string;
  node: string;
  lockDelayNs: bigint;
  behavior: string;
  ttl: string;
  /** Deprecated field; null when the fix-up dropped it (it is then omitted from the JSON). */
  checks: string[] | null;
  nodeChecks: string[];
  serviceChecks: ServiceCheckRef[] | null;
}

const FIELDS = ['ID', 'Name', 'Node', 'LockDelay', 'Behavior', 'TTL', 'Checks', 'NodeChecks', 'ServiceChecks'] as const;

export function decodeLockDelay(value: unknown): bigint {
  let ns: bigint;
  if (typeof value === 'string') {
    try {
      ns = parseGoDuration(value);
    } catch (error) {
      if (error instanceof GoDurationError) throw new HttpError(400, `Request decode failed: ${error.message}`);
      throw error;
    }
  } else if (typeof value === 'number') {
    ns = BigInt(Math.trunc(value));
  } else {
    ns = 0n; // Go's decoder leaves other types at zero (the switch has no default case)
  }
  return ns < LOCK_DELAY_MIN_THRESHOLD ? ns * SECOND_NS : ns;
}

function decodeServiceChecks(value: unknown): ServiceCheckRef[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw decodeError('ServiceChecks', '[]structs.ServiceCheck', value);
  return value.map((item) => {
    if (typeof item !== 'object' || item === null) throw decodeError('ServiceChecks', 'structs.ServiceCheck', item);
    const f = pickFields(item as Record<string, unknown>, ['ID', 'Namespace'], false);
    return { ID: asString(f.get('ID'), 'ServiceChecks.ID'), Namespace: asString(f.get('Namespace'), 'ServiceChecks.Namespace') };
  });
}

/** Body → request with defaults; `defaultNode` is the agent's node name. Throws 400 on decode errors. */
export function decodeSessionCreate(body: Record<string, unknown> | undefined, defaultNode: string): SessionCreateRequest {
  const f = pickFields(body, FIELDS, false);
  // Both defaults are pre-filled, then the body overwrites whatever arrays it contains.
  let checks: string[] | null = f.has('Checks') ? asStringList(f.get('Checks'), 'Checks') : [SERF_CHECK_ID];
  let nodeChecks: string[] | null = f.has('NodeChecks') ? asStringList(f.get('NodeChecks'), 'NodeChecks') : [SERF_CHECK_ID];
  const request: SessionCreateRequest = {
    name: asString(f.get('Name'), 'Name'),
    node: f.has('Node') ? asString(f.get('Node'), 'Node') : defaultNode,
    lockDelayNs: f.has('LockDelay') && f.get('LockDelay') !== null ? decodeLockDelay(f.get('LockDelay')) : DEFAULT_LOCK_DELAY_NS,
    behavior: asString(f.get('Behavior'), 'Behavior'),
    ttl: asString(f.get('TTL'), 'TTL'),
    checks: null,
    nodeChecks: [],
    serviceChecks: decodeServiceChecks(f.get('ServiceChecks')),
  };
  // fixupEmptySessionChecks (agent/session_endpoint.go), line by line.
  if (checks === null || checks.length === 0) {
    nodeChecks = [];
  } else if (checks.length === 1 && checks[0] === SERF_CHECK_ID) {
    checks = null;
  } else if (nodeChecks === null || nodeChecks.length === 0) {
    checks = null;
  }
  request.checks = checks !== null && checks.length > 0 ? checks : null;
  request.nodeChecks = nodeChecks ?? [];
  return request;
}

/** Check IDs in Consul's CheckIDs() order: Checks, then NodeChecks, then ServiceChecks. */
export function linkedCheckIds(s: Pick<SessionCreateRequest, 'checks' | 'nodeChecks' | 'serviceChecks'>): string[] {
  return [...(s.checks ?? []), ...s.nodeChecks, ...(s.serviceChecks ?? []).map((c) => c.ID)];
}
