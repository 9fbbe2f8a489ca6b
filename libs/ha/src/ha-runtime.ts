import { hostname } from 'node:os';
import { HaConfigError } from './config/ha-config.error.js';
import type { HaConfig } from './config/ha-config.js';
import { checkHaTimings, deriveHaTimings, type HaTimings } from './config/ha-timings.js';
import { validateHaConfig } from './config/validate-ha-config.js';
import { ConsulClientAdapter } from './consul/consul-client.adapter.js';
import type { ConsulPort } from './consul/consul.port.js';
import type { ElectorIdentity } from './election/ports.js';
import type { HaModuleOptions } from './ha-module-options.js';
import { loadConsulTlsMaterial } from './tls/load-consul-tls-material.js';

/** Everything derived once from the options at startup; a bad value stops startup here. */
export interface HaSettings {
  config: HaConfig;
  timings: HaTimings;
  identity: ElectorIdentity;
}

/** The Consul connection of the plugin: null when HA is off (no Consul traffic at all). */
export type HaConsul = (ConsulPort & { close?: () => void }) | null;

/** Validates the options and derives the timings and the identity; a bad value throws HaConfigError. */
export function buildHaSettings(options: HaModuleOptions): HaSettings {
  const { config, problems } = validateHaConfig(options.ha, 'ha');
  if (!Number.isInteger(options.serverPort) || options.serverPort < 1 || options.serverPort > 65535) {
    problems.push(`server.port: expected an integer 1-65535, got ${JSON.stringify(options.serverPort)}`);
  }
  if (problems.length > 0) throw new HaConfigError(problems);
  const timings = checkHaTimings(deriveHaTimings(config));
  const identity = identityOf(config, options.serverPort);
  return { config, timings, identity };
}

/** The Consul port: none with HA off, the options' test double when given, else the HTTP adapter. */
export function consulFor(options: HaModuleOptions, settings: HaSettings): HaConsul {
  if (!settings.config.ha_enabled) return null;
  return options.consul ?? consulAdapter(settings.config, settings.timings);
}

function identityOf(config: HaConfig, port: number): ElectorIdentity {
  const address = config.instanceIp ?? '127.0.0.1';
  const checkAddress = config.instanceCheckIp ?? address;
  // host + port is unique per machine, so two instances on one host never share a service id or a name
  const instanceId = config.instanceId ?? `${hostname()}-${port}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
  return {
    instanceId,
    serviceName: config.serviceName,
    leaderKey: config.leaderKey,
    address,
    port,
    url: `${config.serverProtocol}://${address}:${port}`,
    checkUrl: `${config.serverProtocol}://${checkAddress}:${port}/rest/admin/health`,
  };
}

function consulAdapter(config: HaConfig, timings: HaTimings): ConsulClientAdapter {
  return new ConsulClientAdapter({
    host: config.consulAgentIp,
    port: config.consulAgentPort,
    // fails closed: bad TLS material throws an HaConfigError here, never a fallback to plain http
    tls: config.consul_tls_enabled ? loadConsulTlsMaterial(config) : undefined,
    token: config.consulToken,
    datacenter: config.consulDatacenter,
    requestTimeoutMs: timings.requestTimeoutMs,
    blockingReadTimeoutMs: timings.blockingReadTimeoutMs,
  });
}
