// Programmatic entry point: starts one double (API port + control port) in this process. Used by
// main.ts and by in-process integration tests.
import type { Server } from 'node:http';
import { ApiListener, type TlsMaterial } from './api-listener.js';
import { type Clock, scaledClock } from './clock.js';
import { FaultState } from './control/fault-state.js';
import { createControlServer } from './control/control-server.js';
import { Acl } from './http/acl.js';
import { createApiHandler } from './http/api-handler.js';
import { ConsulState } from './state/consul-state.js';

export interface ConsulDevOptions {
  /** API port; 0 (default) lets the OS choose. */
  port?: number;
  /** Control port; 0 (default) lets the OS choose. */
  controlPort?: number;
  /** Address both ports bind to (default 127.0.0.1: a dev double is never exposed). */
  host?: string;
  /** The agent's node name (default `consul-dev`). */
  node?: string;
  /** ACL mode when non-empty: the first token is management, the others read-only. */
  aclTokens?: string[];
  /** HTTPS instead of HTTP on the API port. */
  tls?: TlsMaterial;
  /**
   * Test knob: Consul time runs this many times faster than wall time (TTL, lock-delay, waits, check
   * intervals/timeouts). Default 1 = exact. Ignored when `clock` is given.
   */
  timeScale?: number;
  clock?: Clock;
  /** Randomness for jitter and first-probe delays (tests may pin it). */
  random?: () => number;
}

export interface ConsulDevServer {
  readonly port: number;
  readonly controlPort: number;
  readonly scheme: 'http' | 'https';
  readonly node: string;
  readonly state: ConsulState;
  readonly faults: FaultState;
  readonly api: ApiListener;
  close(): Promise<void>;
}

export const DEFAULT_NODE = 'consul-dev';

function listenControl(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export async function startConsulDev(options: ConsulDevOptions = {}): Promise<ConsulDevServer> {
  const host = options.host ?? '127.0.0.1';
  const node = options.node ?? DEFAULT_NODE;
  const clock = options.clock ?? scaledClock(options.timeScale ?? 1);
  const ca = options.tls ? Buffer.from(options.tls.ca) : undefined;
  const state = new ConsulState({ node, clock, ca, random: options.random });
  const faults = new FaultState();
  const acl = new Acl(options.aclTokens ?? []);
  const api = new ApiListener(createApiHandler({ state, acl, faults }), host, options.tls);
  const scheme = options.tls ? 'https' : 'http';
  const control = createControlServer({ state, faults, api, scheme });
  let port: number;
  let controlPort: number;
  try {
    port = await api.listen(options.port ?? 0);
    controlPort = await listenControl(control, options.controlPort ?? 0, host);
  } catch (error) {
    state.close();
    await api.stop();
    control.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    port,
    controlPort,
    scheme,
    node,
    state,
    faults,
    api,
    close() {
      closing ??= (async () => {
        faults.clear();
        state.close();
        control.closeAllConnections();
        await Promise.all([api.stop(), new Promise<void>((resolve) => control.close(() => resolve()))]);
      })();
      return closing;
    },
  };
}
