import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { types } from 'node:util';
import Consul from 'consul';
import {
  ConsulAccessDeniedError,
  ConsulUnavailableError,
  SessionInvalidatedError,
  SessionRefusedError,
} from './consul-errors.js';
import type { CheckStatus, ConsulPort, KeyRead, ReadKeyOptions, ServiceInstance, ServiceRegistration, SessionRequest } from './consul.port.js';

export interface ConsulConnection {
  host: string;
  port: number;
  /** TLS material for https (consul_tls_enabled); absent means plain http. Never a silent fallback. */
  tls?: { ca?: (string | Buffer)[]; cert?: string | Buffer; key?: string | Buffer; pfx?: Buffer; passphrase?: string };
  token?: string;
  datacenter?: string;
  /** Bound of every non-blocking call: well under the renew deadline (docs/architecture.md §2, "The timing relations"). */
  requestTimeoutMs: number;
  /** Bound of a blocking read: above wait + wait/16 + the server's hold time. */
  blockingReadTimeoutMs: number;
}

type ConsulClient = InstanceType<typeof Consul>;
/** consul@2's typings miss ctx, timeout, index and wait: this is what we really pass (docs/architecture.md §6). */
type CallOptions = Record<string, unknown> & { ctx?: EventEmitter; timeout?: number };
interface ResponseLike {
  statusCode?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/**
 * ConsulPort over the `consul` npm client, so the elector talks HTTP to a real agent (or consul-dev).
 * It wraps the client's gaps: explicit Checks and a string LockDelay in the session body, `undefined`
 * from a refused acquire, X-Consul-Index from the response, per-call timeouts and cancellation.
 */
export class ConsulClientAdapter implements ConsulPort {
  private readonly client: ConsulClient;
  private readonly agent: http.Agent;

  constructor(private readonly connection: ConsulConnection) {
    const secure = connection.tls !== undefined;
    this.agent = secure ? new https.Agent({ keepAlive: true, ...connection.tls }) : new http.Agent({ keepAlive: true });
    const defaults: Record<string, string> = {};
    if (connection.token) defaults.token = connection.token;
    if (connection.datacenter) defaults.dc = connection.datacenter;
    this.client = new Consul({
      host: connection.host,
      port: connection.port,
      secure,
      agent: this.agent,
      defaults,
    } as ConstructorParameters<typeof Consul>[0]);
  }

  /** Closes kept-alive sockets, which also ends blocking reads still in flight. */
  close(): void {
    this.agent.destroy();
  }

  async registerService(service: ServiceRegistration): Promise<void> {
    await this.call('register service', (o) =>
      this.client.agent.service.register({
        ...o,
        id: service.id,
        name: service.name,
        address: service.address,
        port: service.port,
        check: {
          checkid: service.checkId,
          name: `${service.name} health`,
          http: service.checkUrl,
          interval: `${service.checkIntervalMs}ms`,
          timeout: `${service.checkTimeoutMs}ms`,
          tlsskipverify: service.tlsSkipVerify,
        },
      } as never),
    );
  }

  async deregisterService(serviceId: string): Promise<void> {
    try {
      await this.call('deregister service', (o) => this.client.agent.service.deregister({ ...o, id: serviceId } as never));
    } catch (error) {
      if (!(error instanceof ConsulUnavailableError && error.statusCode === 404)) throw error; // already gone
    }
  }

  async checkStatus(checkId: string): Promise<CheckStatus | undefined> {
    const checks = (await this.call('list checks', (o) => this.client.agent.checks(o as never))) as Record<string, { Status?: string }>;
    const status = checks?.[checkId]?.Status;
    return status === 'passing' || status === 'warning' || status === 'critical' ? status : undefined;
  }

  async createSession(request: SessionRequest): Promise<string> {
    // The client drops NodeChecks/ServiceChecks and a numeric 0 lock-delay (which leaves Consul's 15 s),
    // so the body is sent as Checks (serfHealth + ours, explicit for every Consul version) and "Ns".
    const body = {
      Name: request.name,
      Checks: ['serfHealth', ...request.serviceCheckIds],
      TTL: `${request.ttlSeconds}s`,
      LockDelay: `${request.lockDelaySeconds}s`,
      Behavior: 'release',
    };
    try {
      const result = (await this.call('create session', (o) =>
        (this.client as unknown as { _put: (req: unknown, next: unknown) => Promise<unknown> })._put(
          { name: 'session.create', path: '/session/create', type: 'json', body, headers: this.headers(), query: this.query(), ...o },
          bodyOf,
        ),
      )) as { ID?: string };
      if (!result?.ID) throw new ConsulUnavailableError('create session', 'no session ID in the answer');
      return result.ID;
    } catch (error) {
      if (error instanceof ConsulUnavailableError && /critical state|Missing check|Missing node/.test(error.detail)) {
        throw new SessionRefusedError(error.detail);
      }
      throw error;
    }
  }

  async renewSession(sessionId: string): Promise<boolean> {
    try {
      await this.call('renew session', (o) => this.client.session.renew({ ...o, id: sessionId } as never));
      return true;
    } catch (error) {
      if (error instanceof ConsulUnavailableError && error.statusCode === 404) return false;
      throw error;
    }
  }

  async destroySession(sessionId: string): Promise<void> {
    await this.call('destroy session', (o) => this.client.session.destroy({ ...o, id: sessionId } as never));
  }

  async acquire(key: string, sessionId: string, value: string): Promise<boolean> {
    try {
      const result = await this.call('acquire', (o) => this.client.kv.set({ ...o, key, value, acquire: sessionId } as never));
      return result === true; // the client turns a refusal into undefined, not false
    } catch (error) {
      if (error instanceof ConsulUnavailableError && /invalid session/.test(error.detail)) throw new SessionInvalidatedError(sessionId);
      throw error;
    }
  }

  async release(key: string, sessionId: string, value: string): Promise<boolean> {
    // Consul rewrites the value on release (docs/consul-behaviour.md fact 8): the caller says what stays.
    const result = await this.call('release', (o) => this.client.kv.set({ ...o, key, value, release: sessionId } as never));
    return result === true;
  }

  async readKey(key: string, options: ReadKeyOptions = {}): Promise<KeyRead> {
    const blocking = (options.index ?? 0) > 0;
    const query: Record<string, unknown> = { key };
    if (options.consistent) query.consistent = true;
    if (blocking) {
      query.index = String(options.index);
      query.wait = `${Math.max(1, Math.round(options.waitMs ?? 300_000))}ms`;
    }
    const [response, entry] = (await this.call(
      options.consistent ? 'consistent read key' : 'read key',
      (o) => this.client.kv.get({ ...o, ...query } as never),
      { blocking, signal: options.signal, includeResponse: true },
    )) as unknown as [ResponseLike, { Session?: string; LockIndex?: number; Value?: string | null; ModifyIndex?: number } | undefined];
    const header = Number(response?.headers?.['x-consul-index']);
    return {
      index: Number.isFinite(header) && header > 0 ? header : 1, // docs/consul-behaviour.md fact 12: never use 0
      entry: entry
        ? {
            session: entry.Session ?? null,
            lockIndex: entry.LockIndex ?? 0,
            value: entry.Value ?? null,
            modifyIndex: entry.ModifyIndex ?? 0,
          }
        : null,
    };
  }

  async listServiceInstances(serviceName: string): Promise<ServiceInstance[]> {
    const entries = (await this.call('list service instances', (o) => this.client.health.service({ ...o, service: serviceName } as never))) as unknown;
    if (!Array.isArray(entries)) return [];
    return entries.map((entry: { Node?: { Address?: string }; Service?: { ID?: string; Address?: string; Port?: number }; Checks?: { Status?: string }[] }) => ({
      serviceId: entry.Service?.ID ?? '',
      // Consul falls back to the node's address when the service registered none
      address: entry.Service?.Address || entry.Node?.Address || '',
      port: entry.Service?.Port ?? 0,
      checkStatus: worstStatus((entry.Checks ?? []).map((c) => c.Status)),
    }));
  }

  private headers(): Record<string, string> {
    return this.connection.token ? { 'x-consul-token': this.connection.token } : {};
  }

  private query(): Record<string, string> {
    return this.connection.datacenter ? { dc: this.connection.datacenter } : {};
  }

  /** One bounded, cancellable call; transport and HTTP failures become typed errors. */
  private async call<T>(
    operation: string,
    invoke: (options: CallOptions) => Promise<T>,
    { blocking = false, signal, includeResponse = false }: { blocking?: boolean; signal?: AbortSignal; includeResponse?: boolean } = {},
  ): Promise<T> {
    const ctx = Object.assign(new EventEmitter(), { includeResponse });
    const cancel = () => ctx.emit('cancel');
    if (signal?.aborted) throw abortError();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const result = await invoke({ ctx, timeout: blocking ? this.connection.blockingReadTimeoutMs : this.connection.requestTimeoutMs });
      // papi resolves with a transport error it fails to recognise (`instanceof Error` across realms, as
      // under jest's VM modules): treat any native error as the failure it is
      if (types.isNativeError(result)) throw result;
      return result;
    } catch (error) {
      if (signal?.aborted) throw abortError();
      throw classify(operation, error);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }
}

function bodyOf(request: { err?: Error; res?: ResponseLike; ctx?: { includeResponse?: boolean } }, next: (...args: unknown[]) => void): void {
  if (request.err) return next(false, request.err);
  next(false, undefined, request.res?.body);
}

function worstStatus(statuses: (string | undefined)[]): CheckStatus {
  if (statuses.some((s) => s !== 'passing' && s !== 'warning')) return 'critical';
  return statuses.includes('warning') ? 'warning' : 'passing';
}

function abortError(): Error {
  const error = new Error('aborted');
  error.name = 'AbortError';
  return error;
}

function classify(operation: string, error: unknown): Error {
  const response = (error as { response?: ResponseLike })?.response;
  const status = response?.statusCode;
  const body = response?.body;
  const text = (Buffer.isBuffer(body) ? body.toString() : typeof body === 'string' ? body : '') || (error as Error)?.message || String(error);
  if (status === 403) return new ConsulAccessDeniedError(operation, text.trim());
  return new ConsulUnavailableError(operation, text.trim(), status);
}
