import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { HA_CONTEXT, type HaContext } from '@a4c/ha';
import type { AppConfig } from '../config/app-config.js';
import { formatProblem } from '../config/config-problem.js';
import { loadConfig } from '../config/load-config.js';
import { configureApplication } from '../configure-app.js';
import { CoreModule } from '../core/core.module.js';

// Test support for the full graph (integration specs). Not used by the server itself.

/** A validated config for tests: defaults, data under `alienDir`, then `--dotted.key=value` overrides. */
export function testConfig(alienDir: string, overrides: string[] = []): AppConfig {
  const { config, problems } = loadConfig({ argv: [`--directories.alien=${alienDir}`, ...overrides], env: {}, cwd: alienDir });
  if (!config) throw new Error(`bad test config:\n${problems.map(formatProblem).join('\n')}`);
  return config;
}

/** Plays the HA host's part: provides HA_CONTEXT to the whole graph, as the plugin does for its child. */
@Module({})
class FakeHaHostModule {
  static with(context: HaContext): DynamicModule {
    return { module: FakeHaHostModule, global: true, providers: [{ provide: HA_CONTEXT, useValue: context }], exports: [HA_CONTEXT] };
  }
}

@Module({})
class TestRootModule {}

export interface RunningCore {
  readonly app: INestApplication;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  close(): Promise<void>;
}

/** Boots CoreModule.forRoot(config) like main does, listening on 127.0.0.1 and a port the OS picks. */
export async function startCore(config: AppConfig, options: { haContext?: HaContext } = {}): Promise<RunningCore> {
  const root: DynamicModule = {
    module: TestRootModule,
    imports: [...(options.haContext ? [FakeHaHostModule.with(options.haContext)] : []), CoreModule.forRoot(config)],
  };
  const app = await NestFactory.create(root, { logger: false, abortOnError: false });
  configureApplication(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  let closed = false;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}

/** A JSON request: status, parsed body (undefined when empty) and headers. */
export async function request(method: string, url: string, body?: unknown): Promise<{ status: number; body: unknown; headers: Headers }> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
