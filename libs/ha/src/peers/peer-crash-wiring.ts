import type { Clock } from '../clock/clock.port.js';
import type { HaConfig } from '../config/ha-config.js';
import type { ConsulPort } from '../consul/consul.port.js';
import type { PeerProbePort } from '../election/ports.js';
import { forwardingTls } from '../forwarding/forwarding-tls.js';
import { HttpLeaderWatch } from './http-leader-watch.js';
import { LEADER_WATCH_HOLD_MS } from './leader-watch.port.js';
import { PeerCrashDetector } from './peer-crash-detector.js';

/** First pause before watching a holder again after a quick answer or a failed watch. */
const WATCH_RETRY_BASE_MS = 100;
/**
 * Longest pause between watches of a holder that cannot be watched (it refuses the watch, TLS fails):
 * meanwhile Consul's own detection still covers a crash, so this only bounds a retry's cost.
 */
const WATCH_RETRY_CAP_MS = 5_000;

/**
 * Builds the crash detection by peers from the configuration (rule 14): null when `ha.peerCrashDetection`
 * is false, or when the instances serve https and no trust store says which certificates to trust (a
 * watch that can never verify its peer would only retry; `warn` says so once).
 */
export function peerCrashDetectorFor(deps: {
  config: HaConfig;
  consul: ConsulPort;
  clock: Clock;
  probe: PeerProbePort;
  instanceId: string;
  onError: (operation: string, detail: string) => void;
  warn: (line: string) => void;
}): PeerCrashDetector | null {
  const { config } = deps;
  if (!config.peerCrashDetection) return null;
  const tls = forwardingTls(config);
  if (tls && 'refused' in tls) {
    deps.warn(`crash detection by peers is off: ${tls.refused.replace('forwarding to an https leader', 'watching an https leader')}`);
    return null;
  }
  return new PeerCrashDetector({
    consul: deps.consul,
    clock: deps.clock,
    // a holder answers within its hold bound; 5 s more covers a loaded machine's scheduling
    watch: new HttpLeaderWatch({ adminToken: config.adminToken, ca: tls?.ca, silenceMs: LEADER_WATCH_HOLD_MS + 5_000 }),
    probe: deps.probe,
    leaderKey: config.leaderKey,
    instanceId: deps.instanceId,
    retryBaseMs: WATCH_RETRY_BASE_MS,
    retryCapMs: WATCH_RETRY_CAP_MS,
    onError: deps.onError,
  });
}
