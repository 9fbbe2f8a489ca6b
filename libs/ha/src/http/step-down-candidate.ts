import { HttpException } from '@nestjs/common';
import { INTERNAL_DEFAULTS } from '../config/internal-defaults.js';
import { describeError } from '../consul/consul-errors.js';
import type { HaConsul, HaSettings } from '../ha-runtime.js';
import { instanceIdOf, memberStatus } from './cluster-view.js';

/**
 * Refuses a hand-over that cannot work, before the leader lets go: 409 with the reason when the
 * candidate is this instance, unknown to Consul, not passing its check, or not in the race (no answer on
 * its status route, or not a backup); 503 when Consul cannot be asked; 400 for an empty id.
 */
export async function checkStepDownCandidate(settings: HaSettings, consul: HaConsul, candidate: string): Promise<void> {
  if (candidate.trim() === '') throw conflict(400, 'candidate: expected an instance id, got an empty value');
  if (candidate === settings.identity.instanceId) throw conflict(409, `candidate ${candidate} is this instance, the one stepping down`);
  if (!consul) throw conflict(409, 'HA is disabled (ha.ha_enabled: false): there is no election to hand over');
  const serviceName = settings.config.serviceName;
  let instances;
  try {
    instances = await consul.listServiceInstances(serviceName);
  } catch (error) {
    throw conflict(503, `cannot check candidate ${candidate}: ${describeError(error)}`);
  }
  const known = instances.map((i) => ({ ...i, instanceId: instanceIdOf(i.serviceId, serviceName) }));
  const target = known.find((i) => i.instanceId === candidate);
  if (!target) throw conflict(409, `candidate ${candidate} is unknown: Consul lists ${known.map((i) => i.instanceId).join(', ') || 'no instance'} for service ${serviceName}`);
  if (target.checkStatus !== 'passing') throw conflict(409, `candidate ${candidate} is unhealthy: its Consul check is ${target.checkStatus}`);
  const host = target.address.includes(':') ? `[${target.address}]` : target.address;
  const status = await memberStatus(`${settings.config.serverProtocol}://${host}:${target.port}`, INTERNAL_DEFAULTS.memberStatusTimeoutMs);
  if (!status) throw conflict(409, `candidate ${candidate} is not in the race: its /rest/admin/ha does not answer`);
  if (status.role !== 'backup') throw conflict(409, `candidate ${candidate} is not in the race: it reports role ${status.role}`);
}

function conflict(statusCode: number, message: string): HttpException {
  return new HttpException({ statusCode, message }, statusCode);
}
