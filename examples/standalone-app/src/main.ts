import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { HaService } from '@a4c/ha';
import { AppModule } from './app.module.js';

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, {
    bodyParser: false, // the parent forwards raw requests to the full graph, which parses them once
    forceCloseConnections: true, // keep-alive clients never hold a shutdown
  });
  // SIGTERM: the full graph closes, the lock is released, the session destroyed, then exit 0
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, '127.0.0.1');
  const ha = app.get(HaService);
  process.stdout.write(`${JSON.stringify({ event: 'ready', url: `http://127.0.0.1:${port}`, instanceId: ha.instanceId })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`greeter: startup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
