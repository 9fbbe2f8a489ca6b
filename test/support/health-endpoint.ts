import { createServer } from 'node:http';

/** A stand-in for an instance's /rest/admin/health that Consul's HTTP check polls; its status is settable. */
export interface HealthEndpoint {
  readonly url: string;
  status: number;
  close(): Promise<void>;
}

export async function startHealthEndpoint(): Promise<HealthEndpoint> {
  const endpoint = { status: 200 } as { status: number };
  const server = createServer((_req, res) => res.writeHead(endpoint.status).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(endpoint, {
    url: `http://127.0.0.1:${port}/rest/admin/health`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
