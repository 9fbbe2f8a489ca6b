import type { Clock } from '../clock/clock.port.js';
import type { ConsulPort } from '../consul/consul.port.js';
import type { ElectorFailsafe } from '../failsafe/elector-failsafe.js';
import type { ActingTerm } from '../term/acting-term.js';
import type { LeaderValue } from './leader-value.js';
import type { ElectionListener, ElectorIdentity, ElectorTimings, FullGraphPort, LocalHealthPort, PeerProbePort } from './ports.js';

/** What the elector is built from: its ports (Consul, clock, health, graph, peers) and its settings. */
export interface ElectorDeps {
  consul: ConsulPort;
  clock: Clock;
  health: LocalHealthPort;
  graph: FullGraphPort;
  listener: ElectionListener;
  identity: ElectorIdentity;
  timings: ElectorTimings;
  /** The one answer to "may this instance act now?": the elector keeps it following the election. */
  term: ActingTerm;
  /** Asks a predecessor whether it still acts (rule 10); without it, only the lease wait makes a takeover safe. */
  peers?: PeerProbePort;
  /**
   * Told who holds the key each time the race reads it, and null once this instance holds it: the hook of
   * crash detection by peers (rule 14, peers/peer-crash-detector.ts).
   */
  onHolderSeen?: (holder: { sessionId: string; value: LeaderValue } | null) => void;
  /** Rule 13 (docs/architecture.md): present when ha.failsafe is on. */
  failsafe?: ElectorFailsafe;
  random?: () => number;
}
