import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HaLeaderView } from './ha-leader-view.js';
import type { HoldAndForward, ServeLocally } from './hold-and-forward.js';

/**
 * The parent's request path as one provider: hold-and-forward over the leader view, plus the two
 * hand-over phases the shutdown and step-down coordinator (HaService) drives in order.
 */
export class HaForwarding {
  constructor(
    private readonly view: HaLeaderView,
    private readonly forwarding: HoldAndForward,
    private readonly bounds: {
      /** How long a stopping leader waits for what its full graph serves (ha.drainTimeoutInMillis). */
      quiesceMs: number;
      /** How long a released instance keeps handing what it holds to the successor. */
      handOverMs: number;
    },
  ) {
    view.attach(forwarding);
  }

  handle(request: IncomingMessage, response: ServerResponse, path: string, serveLocally: ServeLocally): Promise<void> {
    return this.forwarding.handle(request, response, path, serveLocally);
  }

  /** A leader about to give up the lock on purpose: new requests wait for the successor meanwhile. */
  quiesce(): Promise<void> {
    return this.view.quiesce(this.forwarding, this.bounds.quiesceMs).catch(() => undefined);
  }

  /** At shutdown, after the release: what is still held here goes to the successor before the port closes. */
  handOver(server?: { close(): unknown }): Promise<void> {
    return this.view.handOver(this.forwarding, this.bounds.handOverMs, server);
  }
}
