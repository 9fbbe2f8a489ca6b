import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HaLeaderView } from './ha-leader-view.js';
import type { HoldAndForward, ServeLocally } from './hold-and-forward.js';

/**
 * The parent's request path as one provider: hold-and-forward over the leader view, plus the hand-over
 * at shutdown that the coordinator (HaService) runs once the lock is released.
 */
export class HaForwarding {
  constructor(
    private readonly view: HaLeaderView,
    private readonly forwarding: HoldAndForward,
    /** How long a released instance keeps handing what it holds to the successor. */
    private readonly handOverMs: number,
  ) {
    view.attach(forwarding);
  }

  handle(request: IncomingMessage, response: ServerResponse, path: string, serveLocally: ServeLocally): Promise<void> {
    return this.forwarding.handle(request, response, path, serveLocally);
  }

  /** At shutdown, after the release: what is still held here goes to the successor before the port closes. */
  handOver(server?: { close(): unknown }): Promise<void> {
    return this.view.handOver(this.forwarding, this.handOverMs, server);
  }
}
