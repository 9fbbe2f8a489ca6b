import { ConsulAccessDeniedError, ConsulUnavailableError, SessionInvalidatedError, SessionRefusedError } from './consul-errors.js';
import { ConsulHttp, keyPath, type ConsulEndpoint, type ConsulResponse } from './consul-http.js';
import type { CheckStatus, ConsulPort, KeyRead, ReadKeyOptions, ServiceInstance, ServiceRegistration, SessionRequest } from './consul.port.js';

export interface ConsulConnection extends ConsulEndpoint {
  /** Bound of every non-blocking call: well under the renew deadline (docs/architecture.md §2, "The timing relations"). */
  requestTimeoutMs: number;
  /** Bound of a blocking read: above wait + wait/16 + the server's hold time. */
  blockingReadTimeoutMs: number;
}

/** One KV entry as Consul's API returns it (the value base64). */
interface KvEntryJson {
  Session?: string;
  LockIndex?: number;
  Value?: string | null;
  ModifyIndex?: number;
}

interface HealthEntryJson {
  Node?: { Address?: string };
  Service?: { ID?: string; Address?: string; Port?: number };
  Checks?: { Status?: string }[];
}

/**
 * ConsulPort over Consul's HTTP API v1 (docs/consul-behaviour.md), with a client of our own for the ten
 * routes the plugin calls: the session body says exactly what we mean (explicit Checks with serfHealth,
 * a "0s" lock-delay, release behaviour), a refused acquire is `false`, X-Consul-Index comes from the
 * response, every call is bounded and cancellable, and failures are typed (403 = access denied).
 */
export class ConsulClientAdapter implements ConsulPort {
  private readonly http: ConsulHttp;

  constructor(private readonly connection: ConsulConnection) {
    this.http = new ConsulHttp(connection);
  }

  /** Closes kept-alive sockets, which also ends blocking reads still in flight. */
  close(): void {
    this.http.close();
  }

  async registerService(service: ServiceRegistration): Promise<void> {
    await this.call('register service', 'PUT', '/agent/service/register', {
      body: {
        ID: service.id,
        Name: service.name,
        Address: service.address,
        Port: service.port,
        Check: {
          CheckID: service.checkId,
          Name: `${service.name} health`,
          HTTP: service.checkUrl,
          Interval: `${service.checkIntervalMs}ms`,
          Timeout: `${service.checkTimeoutMs}ms`,
          TLSSkipVerify: service.tlsSkipVerify,
        },
      },
    });
  }

  async deregisterService(serviceId: string): Promise<void> {
    try {
      await this.call('deregister service', 'PUT', `/agent/service/deregister/${encodeURIComponent(serviceId)}`);
    } catch (error) {
      if (!(error instanceof ConsulUnavailableError && error.statusCode === 404)) throw error; // already gone
    }
  }

  async checkStatus(checkId: string): Promise<CheckStatus | undefined> {
    const checks = json<Record<string, { Status?: string }> | null>('list checks', await this.call('list checks', 'GET', '/agent/checks'));
    const status = checks?.[checkId]?.Status;
    return status === 'passing' || status === 'warning' || status === 'critical' ? status : undefined;
  }

  async createSession(request: SessionRequest): Promise<string> {
    // Checks lists serfHealth with ours (explicit for every Consul version); a lock-delay as "0s", since a
    // missing or numeric 0 leaves Consul's 15 s default
    const body = {
      Name: request.name,
      Checks: ['serfHealth', ...request.serviceCheckIds],
      TTL: `${request.ttlSeconds}s`,
      LockDelay: `${request.lockDelaySeconds}s`,
      Behavior: 'release',
    };
    try {
      const result = json<{ ID?: string } | null>('create session', await this.call('create session', 'PUT', '/session/create', { body }));
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
      await this.call('renew session', 'PUT', `/session/renew/${encodeURIComponent(sessionId)}`);
      return true;
    } catch (error) {
      if (error instanceof ConsulUnavailableError && error.statusCode === 404) return false;
      throw error;
    }
  }

  async destroySession(sessionId: string): Promise<void> {
    await this.call('destroy session', 'PUT', `/session/destroy/${encodeURIComponent(sessionId)}`);
  }

  async acquire(key: string, sessionId: string, value: string): Promise<boolean> {
    try {
      return json<boolean>('acquire', await this.call('acquire', 'PUT', `/kv/${keyPath(key)}`, { query: { acquire: sessionId }, body: value })) === true;
    } catch (error) {
      if (error instanceof ConsulUnavailableError && /invalid session/.test(error.detail)) throw new SessionInvalidatedError(sessionId);
      throw error;
    }
  }

  async release(key: string, sessionId: string, value: string): Promise<boolean> {
    // Consul rewrites the value on release (docs/consul-behaviour.md fact 8): the caller says what stays.
    return json<boolean>('release', await this.call('release', 'PUT', `/kv/${keyPath(key)}`, { query: { release: sessionId }, body: value })) === true;
  }

  async readKey(key: string, options: ReadKeyOptions = {}): Promise<KeyRead> {
    const blocking = (options.index ?? 0) > 0;
    const query: Record<string, string> = {};
    if (options.consistent) query.consistent = '';
    if (blocking) {
      query.index = String(options.index);
      query.wait = `${Math.max(1, Math.round(options.waitMs ?? 300_000))}ms`;
    }
    const response = await this.call(options.consistent ? 'consistent read key' : 'read key', 'GET', `/kv/${keyPath(key)}`, {
      query,
      blocking,
      signal: options.signal,
      absentIsAnswer: true,
    });
    const header = Number(response.headers['x-consul-index']);
    const entry = response.status === 404 ? undefined : json<KvEntryJson[] | null>('read key', response)?.[0];
    return {
      index: Number.isFinite(header) && header > 0 ? header : 1, // docs/consul-behaviour.md fact 12: never use 0
      entry: entry
        ? {
            session: entry.Session ?? null,
            lockIndex: entry.LockIndex ?? 0,
            value: typeof entry.Value === 'string' ? Buffer.from(entry.Value, 'base64').toString('utf8') : null,
            modifyIndex: entry.ModifyIndex ?? 0,
          }
        : null,
    };
  }

  async listServiceInstances(serviceName: string): Promise<ServiceInstance[]> {
    const entries = json<HealthEntryJson[] | null>('list service instances', await this.call('list service instances', 'GET', `/health/service/${encodeURIComponent(serviceName)}`));
    if (!Array.isArray(entries)) return [];
    return entries.map((entry) => ({
      serviceId: entry.Service?.ID ?? '',
      // Consul falls back to the node's address when the service registered none
      address: entry.Service?.Address || entry.Node?.Address || '',
      port: entry.Service?.Port ?? 0,
      checkStatus: worstStatus((entry.Checks ?? []).map((c) => c.Status)),
    }));
  }

  /** One bounded, cancellable call; transport failures and non-2xx answers become typed errors. */
  private async call(
    operation: string,
    method: 'GET' | 'PUT',
    path: string,
    { query, body, blocking = false, signal, absentIsAnswer = false }: { query?: Record<string, string>; body?: unknown; blocking?: boolean; signal?: AbortSignal; absentIsAnswer?: boolean } = {},
  ): Promise<ConsulResponse> {
    if (signal?.aborted) throw abortError();
    const timeoutMs = blocking ? this.connection.blockingReadTimeoutMs : this.connection.requestTimeoutMs;
    let response: ConsulResponse;
    try {
      response = await this.http.request(method, path, { query, body, timeoutMs, signal });
    } catch (error) {
      if (signal?.aborted) throw abortError();
      throw new ConsulUnavailableError(operation, (error as Error)?.message || String(error));
    }
    if ((response.status >= 200 && response.status < 300) || (absentIsAnswer && response.status === 404)) return response;
    const text = response.body.trim() || `HTTP ${response.status}`;
    if (response.status === 403) throw new ConsulAccessDeniedError(operation, text);
    throw new ConsulUnavailableError(operation, text, response.status);
  }
}

/** The JSON body of a 2xx answer; an unparsable one is a failure of the call, not a crash. */
function json<T>(operation: string, response: ConsulResponse): T {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new ConsulUnavailableError(operation, `answer is not JSON: ${response.body.slice(0, 200)}`, response.status);
  }
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
