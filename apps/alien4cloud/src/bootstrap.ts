import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from './config/app-config.js';
import { formatProblem, type ConfigProblem } from './config/config-problem.js';
import { helpText, versionText } from './config/help.js';
import { loadConfig } from './config/load-config.js';
import { startupProblems } from './config/startup-checks.js';
import { createAppLogger } from './logging/app-logger.js';
import { AppModule } from './app.module.js';
import { HaService } from '@a4c/ha';

/** Exit code for a configuration the process refuses to run with. */
export const EXIT_BAD_CONFIG = 2;

export interface BootstrapOptions {
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Modules added to the full graph, for an embedding that brings its own (the server itself adds none). */
  readonly extraModules?: NonNullable<ModuleMetadata['imports']>;
}

/**
 * `--help` and `--version` print and return. Otherwise loads the configuration and checks what Nest
 * would only find inside its module init (key/trust stores, the server's TLS files): any problem is one
 * stderr line each and exit code 2, before a Nest app exists, so no stack trace and no restart loop.
 * `--check-config` stops there with `configuration OK`. Then creates the parent context (HaModule, which
 * boots the full graph on the leader or at once with HA off), listens, and prints one JSON "ready" line
 * on stdout for scripts and tests. SIGTERM/SIGINT close the graph and exit 0. Returns the app, or
 * undefined when it did not start one.
 */
export async function bootstrap(options: BootstrapOptions = {}): Promise<INestApplication | undefined> {
  const { argv = process.argv.slice(2), env = process.env, cwd = process.cwd(), extraModules = [] } = options;
  const { config, problems, configFile, flags } = loadConfig({ argv, env, cwd });
  if (flags.help || flags.version) {
    process.stdout.write(flags.help ? helpText() : versionText());
    return undefined;
  }
  const refused = config ? startupProblems(config) : problems;
  if (!config || refused.length > 0) return refuse(refused);
  if (flags.checkConfig) {
    process.stdout.write('configuration OK\n');
    return undefined;
  }

  const logger = createAppLogger(config.logging.format, { colors: process.stdout.isTTY === true });
  const app = await NestFactory.create(AppModule.forRoot(config, extraModules), {
    bodyParser: false, // bodies are parsed by the full graph the parent forwards to, never twice
    // by the time the server closes, the full graph is down and the lock released: a client holding a
    // keep-alive connection (a proxy, a status poller) must not keep the process alive
    forceCloseConnections: true,
    // every line in one format from the first one; Nest's static Logger makes it the full graph's too
    logger,
    abortOnError: false, // throw instead of process.exit(1) so main reports the failure once
    httpsOptions: httpsOptionsOf(config),
  });
  // The parent keeps Nest's own error answers: Terminus' 503 body says which indicator is down, and the
  // A4C error shape of configureApplication() applies to the full graph (HaModule calls it on each child).
  (app.getHttpAdapter().getInstance() as { disable(name: string): void }).disable('x-powered-by');
  // useProcessExit: Nest would otherwise re-raise the signal after closing, and exit 143 instead of 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  keepIdleConnectionsLongerThanProxies(app.getHttpServer() as Server);
  await app.listen(config.server.port, config.server.host);

  process.stdout.write(`${JSON.stringify(readyLine(app, config, configFile))}\n`);
  return app;
}

/**
 * Node closes an idle keep-alive connection after 5 s, while a proxy keeps its idle connections to us
 * for reuse (HAProxy, nginx's upstream keepalive): a request it sends on one at the moment we close it
 * gets no answer, and the proxy cannot always retry it (measured: a user GET failed with "other side
 * closed" through HAProxy, with no fault at all). The side that closes must be the proxy: idle
 * connections stay open longer than HAProxy keeps its idle server connections (it purges them within
 * seconds) and than common proxies' idle timeouts (60 s); the nginx sample pools none.
 */
const IDLE_KEEP_ALIVE_MS = 65_000;

function keepIdleConnectionsLongerThanProxies(server: Server): void {
  server.keepAliveTimeout = IDLE_KEEP_ALIVE_MS;
}

function refuse(problems: readonly ConfigProblem[]): undefined {
  for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
  process.exitCode = EXIT_BAD_CONFIG;
  return undefined;
}

function httpsOptionsOf(config: AppConfig): { key: Buffer; cert: Buffer } | undefined {
  const { ssl } = config.server;
  if (!ssl.enabled || !ssl.keyFile || !ssl.certFile) return undefined;
  return { key: readFileSync(ssl.keyFile), cert: readFileSync(ssl.certFile) };
}

/** The one startup line: where to reach the instance and what it runs on (never a secret). */
function readyLine(app: INestApplication, config: AppConfig, configFile: string | undefined): Record<string, unknown> {
  const { port } = app.getHttpServer().address() as AddressInfo;
  const wildcard = config.server.host === '0.0.0.0' || config.server.host === '::';
  const host = wildcard ? '127.0.0.1' : config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return {
    event: 'ready',
    service: 'alien4cloud',
    pid: process.pid,
    url: `${config.server.ssl.enabled ? 'https' : 'http'}://${host}:${port}`,
    configFile: configFile ?? null,
    store: config.elasticsearch.urls.length > 0 ? 'elasticsearch' : 'embedded',
    orchestrators: config.orchestrators.map((o) => o.name),
    ha: { enabled: config.ha.ha_enabled, instanceId: app.get(HaService).instanceId },
  };
}
