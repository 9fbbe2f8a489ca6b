// Strict decoding of `PUT /v1/agent/service/register` bodies (§6.1), including the generated check IDs
// (`service:<id>`, `service:<id>:<n>`) and names (`Service '<name>' check`).
import { HttpError, badRequest } from '../http-error.js';
import { asBool, asInt, asString, asStringList, decodeError, pickFields } from '../http/request-body.js';
import type { AgentService } from '../state/check-registry.js';
import { CHECK_STATUSES, type CheckSpec, decodeCheck, validateCheck } from './check-definition.js';

const FIELDS = [
  'Kind', 'ID', 'Name', 'Tags', 'Address', 'TaggedAddresses', 'Meta', 'Port', 'SocketPath', 'Weights', 'Check', 'Checks',
  'Proxy', 'Connect', 'EnableTagOverride', 'Token', 'Namespace', 'Partition', 'Locality',
] as const;

function decodeMeta(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw decodeError('Meta', 'map[string]string', value);
  }
  return value as Record<string, string>;
}

function decodeWeights(value: unknown): { Passing: number; Warning: number } {
  if (value === undefined || value === null) return { Passing: 1, Warning: 1 };
  if (typeof value !== 'object' || Array.isArray(value)) throw decodeError('Weights', 'structs.Weights', value);
  const f = pickFields(value as Record<string, unknown>, ['Passing', 'Warning'], true);
  return { Passing: asInt(f.get('Passing'), 'Weights.Passing'), Warning: asInt(f.get('Warning'), 'Weights.Warning') };
}

export interface ServiceRegistration {
  service: AgentService;
  checks: CheckSpec[];
}

export function decodeServiceRegistration(body: Record<string, unknown> | undefined, datacenter: string): ServiceRegistration {
  const f = pickFields(body, FIELDS, true);
  const name = asString(f.get('Name'), 'Name');
  if (name === '') throw new HttpError(400, 'Missing service name');
  const id = asString(f.get('ID'), 'ID') || name;
  const service: AgentService = {
    ID: id,
    Service: name,
    Tags: asStringList(f.get('Tags'), 'Tags') ?? [],
    Meta: decodeMeta(f.get('Meta')),
    Port: asInt(f.get('Port'), 'Port'),
    Address: asString(f.get('Address'), 'Address'),
    Weights: decodeWeights(f.get('Weights')),
    EnableTagOverride: asBool(f.get('EnableTagOverride'), 'EnableTagOverride'),
    Datacenter: datacenter,
  };
  const raw: unknown[] = [];
  if (f.get('Check') !== undefined && f.get('Check') !== null) raw.push(f.get('Check'));
  const list = f.get('Checks');
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) throw decodeError('Checks', 'structs.CheckTypes', list);
    raw.push(...list);
  }
  const specs = raw.map(decodeCheck);
  specs.forEach((spec, i) => {
    if (spec.status !== '' && !CHECK_STATUSES.includes(spec.status)) throw badRequest("Status for checks must 'passing', 'warning', 'critical'");
    validateCheck(spec);
    if (spec.checkId === '') spec.checkId = specs.length === 1 ? `service:${id}` : `service:${id}:${i + 1}`;
    if (spec.name === '') spec.name = `Service '${name}' check`;
    spec.serviceId = id;
  });
  return { service, checks: specs };
}
