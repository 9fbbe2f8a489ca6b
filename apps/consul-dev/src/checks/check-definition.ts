// Strict decoding and validation of agent check definitions (§1.4, §6.1, §6.3): unknown fields are a
// 400, durations are Go strings or nanoseconds, snake_case aliases are accepted. The double runs HTTP
// and TTL checks only; other check types are refused with an explicit 400 rather than faked.
import { GoDurationError, decodeDurationField } from '../go-duration.js';
import { HttpError, badRequest } from '../http-error.js';
import { asBool, asInt, asString, decodeError, pickFields } from '../http/request-body.js';

export type CheckStatus = 'passing' | 'warning' | 'critical';
export const CHECK_STATUSES: readonly string[] = ['passing', 'warning', 'critical'];

export interface CheckSpec {
  checkId: string;
  name: string;
  status: string;
  notes: string;
  serviceId: string;
  http: string;
  method: string;
  header: Record<string, string[]>;
  body: string;
  disableRedirects: boolean;
  tlsServerName: string;
  tlsSkipVerify: boolean;
  intervalNs: bigint;
  timeoutNs: bigint;
  ttlNs: bigint;
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
  deregisterCriticalServiceAfterNs: bigint;
  outputMaxSize: number;
}

const FIELDS = [
  'ID', 'CheckID', 'Name', 'Status', 'Notes', 'ServiceID', 'Token', 'ScriptArgs', 'Args', 'HTTP', 'Header', 'Method',
  'Body', 'DisableRedirects', 'TCP', 'TCPUseTLS', 'UDP', 'Interval', 'AliasNode', 'AliasService', 'DockerContainerID',
  'Shell', 'GRPC', 'GRPCUseTLS', 'H2PING', 'H2PingUseTLS', 'OSService', 'TLSServerName', 'TLSSkipVerify', 'Timeout',
  'TTL', 'SuccessBeforePassing', 'FailuresBeforeWarning', 'FailuresBeforeCritical', 'ProxyHTTP', 'ProxyGRPC',
  'DeregisterCriticalServiceAfter', 'OutputMaxSize', 'Namespace', 'Partition', 'Type',
] as const;

const UNSUPPORTED = ['ScriptArgs', 'Args', 'TCP', 'UDP', 'AliasNode', 'AliasService', 'DockerContainerID', 'GRPC', 'H2PING', 'OSService'];

function duration(f: Map<string, unknown>, field: string): bigint {
  try {
    return decodeDurationField(f.get(field), field);
  } catch (error) {
    if (error instanceof GoDurationError) throw badRequest(`Request decode failed: ${error.message}`);
    throw error;
  }
}

function decodeHeader(value: unknown): Record<string, string[]> {
  if (value === undefined || value === null) return {};
  const ok = typeof value === 'object' && !Array.isArray(value) &&
    Object.values(value as object).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (!ok) throw decodeError('Header', 'map[string][]string', value);
  return value as Record<string, string[]>;
}

/** Decodes one check definition object strictly. `context` is used for error texts only. */
export function decodeCheck(raw: unknown): CheckSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw decodeError('Check', 'structs.CheckType', raw);
  const f = pickFields(raw as Record<string, unknown>, FIELDS, true);
  for (const field of UNSUPPORTED) {
    const v = f.get(field);
    if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) {
      throw badRequest(`Invalid check: consul-dev runs only HTTP and TTL checks (got ${field})`);
    }
  }
  const failuresBeforeCritical = asInt(f.get('FailuresBeforeCritical'), 'FailuresBeforeCritical');
  return {
    checkId: asString(f.get('CheckID'), 'CheckID') || asString(f.get('ID'), 'ID'),
    name: asString(f.get('Name'), 'Name'),
    status: asString(f.get('Status'), 'Status'),
    notes: asString(f.get('Notes'), 'Notes'),
    serviceId: asString(f.get('ServiceID'), 'ServiceID'),
    http: asString(f.get('HTTP'), 'HTTP'),
    method: asString(f.get('Method'), 'Method'),
    header: decodeHeader(f.get('Header')),
    body: asString(f.get('Body'), 'Body'),
    disableRedirects: asBool(f.get('DisableRedirects'), 'DisableRedirects'),
    tlsServerName: asString(f.get('TLSServerName'), 'TLSServerName'),
    tlsSkipVerify: asBool(f.get('TLSSkipVerify'), 'TLSSkipVerify'),
    intervalNs: duration(f, 'Interval'),
    timeoutNs: duration(f, 'Timeout'),
    ttlNs: duration(f, 'TTL'),
    successBeforePassing: asInt(f.get('SuccessBeforePassing'), 'SuccessBeforePassing'),
    failuresBeforeWarning: f.has('FailuresBeforeWarning') ? asInt(f.get('FailuresBeforeWarning'), 'FailuresBeforeWarning') : failuresBeforeCritical,
    failuresBeforeCritical,
    deregisterCriticalServiceAfterNs: duration(f, 'DeregisterCriticalServiceAfter'),
    outputMaxSize: asInt(f.get('OutputMaxSize'), 'OutputMaxSize'),
  };
}

/** CheckType.Validate: the problems Consul reports as 400 `Invalid check: ...`. */
export function validateCheck(spec: CheckSpec): void {
  const problems: string[] = [];
  if (spec.intervalNs > 0n && spec.ttlNs > 0n) problems.push('Interval and TTL cannot both be specified');
  if (spec.http !== '' && spec.intervalNs <= 0n) problems.push('Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks');
  if (spec.http === '' && spec.ttlNs <= 0n) problems.push('TTL must be > 0 for TTL checks');
  if (spec.outputMaxSize < 0) problems.push('MaxOutputMaxSize must be positive');
  if (spec.failuresBeforeWarning > spec.failuresBeforeCritical) {
    problems.push('FailuresBeforeWarning can not be greater than FailuresBeforeCritical');
  }
  if (problems.length > 0) throw new HttpError(400, `Invalid check: ${problems.join('; ')}`);
}

export function checkType(spec: CheckSpec): 'http' | 'ttl' {
  return spec.http !== '' ? 'http' : 'ttl';
}
