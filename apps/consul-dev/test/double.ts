// Per-test doubles for the integration specs: each test starts its own in-process double on a free
// port (no shared state) and afterEach closes it and the client.
import { afterEach } from '@jest/globals';
import Consul from 'consul';
import { type ConsulDevOptions, type ConsulDevServer, startConsulDev } from '../src/consul-dev-server.js';
import { ConsulDevControl } from '../test-support/control-client.js';

export interface TestDouble {
  server: ConsulDevServer;
  consul: Consul;
  url: string;
  control: ConsulDevControl;
  /** Raw fetch against the API, for details the client hides (status, headers, exact bodies). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Raw fetch returning status, text and headers. */
  call(method: string, path: string, body?: string | object, headers?: Record<string, string>): Promise<CallResult>;
  /** The same against the API port of another agent, by node name. */
  callAgent(node: string, method: string, path: string, body?: string | object, headers?: Record<string, string>): Promise<CallResult>;
}

export interface CallResult {
  status: number;
  text: string;
  headers: Headers;
  json<T = unknown>(): T;
}

async function rawCall(base: string, method: string, path: string, body?: string | object, headers: Record<string, string> = {}): Promise<CallResult> {
  const response = await fetch(`${base}${path}`, { method, headers, body: typeof body === 'object' ? JSON.stringify(body) : body });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers, json: <T>() => JSON.parse(text) as T };
}

export function useDoubles(): (options?: ConsulDevOptions) => Promise<TestDouble> {
  const started: TestDouble[] = [];
  afterEach(async () => {
    for (const d of started.splice(0)) {
      d.consul.destroy();
      await d.server.close();
    }
  });
  return async (options = {}) => {
    const server = await startConsulDev(options);
    const url = `${server.scheme}://127.0.0.1:${server.port}`;
    const api = (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);
    const double: TestDouble = {
      server,
      consul: new Consul({ host: '127.0.0.1', port: server.port }),
      url,
      control: ConsulDevControl.at(server.controlPort),
      api,
      call: (method, path, body, headers) => rawCall(url, method, path, body, headers),
      callAgent(node, method, path, body, headers) {
        const agent = server.agents.find((a) => a.node === node);
        if (agent === undefined) throw new Error(`no agent ${node}`);
        return rawCall(`${server.scheme}://127.0.0.1:${agent.port}`, method, path, body, headers);
      },
    };
    started.push(double);
    return double;
  };
}

/** Elapsed wall-clock milliseconds of `fn`. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}
