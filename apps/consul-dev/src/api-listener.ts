// The API port: plain HTTP or HTTPS (optionally demanding a client certificate signed by the CA, like
// `tls.https.verify_incoming`), which the control API can stop (connection refused, open connections
// cut) and resume on the same port.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
  ca: string | Buffer;
  /** Require a client certificate signed by `ca` (the handshake fails without one). */
  verifyIncoming?: boolean;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export class ApiListener {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  listening = false;

  /** The port it listens on (or last listened on). */
  get boundPort(): number {
    return this.port;
  }

  constructor(handler: Handler, private readonly host: string, tls?: TlsMaterial) {
    this.server = tls
      ? https.createServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.verifyIncoming === true, rejectUnauthorized: tls.verifyIncoming === true }, handler)
      : http.createServer(handler);
    // Blocking queries last up to ~10 min: never let Node's own timeouts cut them.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    this.listening = true;
    return this.port;
  }

  /** Stops accepting and cuts every open connection, in-flight and hung requests included. */
  async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async resume(): Promise<void> {
    if (!this.listening) await this.listen(this.port);
  }
}
