import { HA_SECRET_KEYS, type HaConfig } from './ha-config.js';
import { describeValue } from './describe-value.js';
import { blockingWaitMsOf, longestBlockingReadMs, timingProblems } from './ha-timings.js';

/** A rule that relates several keys; it only runs when each of its keys passed its own check. */
interface CrossKeyRule {
  readonly keys: readonly (keyof HaConfig)[];
  readonly applies?: (c: HaConfig) => boolean;
  /** The problem, as `key` + `expected ...`, or undefined when the rule holds. */
  readonly check: (c: HaConfig) => { key: keyof HaConfig; expected: string } | undefined;
}

const CROSS_KEY_RULES: readonly CrossKeyRule[] = [
  {
    // A session is invalidated when its check turns critical; a check that runs less often than the
    // TTL expires would let a dead leader keep the lock for longer than the TTL promises.
    keys: ['healthCheckPeriodInSecond', 'consulSessionTTLInSecond'],
    check: (c) =>
      c.healthCheckPeriodInSecond < c.consulSessionTTLInSecond
        ? undefined
        : { key: 'healthCheckPeriodInSecond', expected: `less than consulSessionTTLInSecond (${c.consulSessionTTLInSecond})` },
  },
  {
    // Consul may answer a blocking read only after wait + wait/16 plus its hold time: a shorter read
    // timeout turns every quiet period into a spurious error (docs/consul-behaviour.md §5.2).
    keys: ['consulReadTimeoutInMillis', 'consulQueryTimeoutInMin'],
    check: (c) => {
      const longest = longestBlockingReadMs(blockingWaitMsOf(c.consulQueryTimeoutInMin));
      return c.consulReadTimeoutInMillis > longest
        ? undefined
        : {
            key: 'consulReadTimeoutInMillis',
            expected: `more than ${longest} (consulQueryTimeoutInMin ${c.consulQueryTimeoutInMin} min + 1/16 jitter + 5 s server hold)`,
          };
    },
  },
  {
    // Consul's check and the other instances reach this one at instanceIp; nothing can guess it.
    keys: ['ha_enabled', 'instanceIp'],
    applies: (c) => c.ha_enabled,
    check: (c) =>
      c.instanceIp !== undefined ? undefined : { key: 'instanceIp', expected: 'a host name or IP address (required when ha_enabled is true)' },
  },
  {
    // Fail closed: TLS without our own trust store would accept any certificate a public CA signed for
    // the agent's name. The key store stays optional: it is only needed when the agent verifies clients.
    keys: ['consul_tls_enabled', 'trustStorePath'],
    applies: (c) => c.consul_tls_enabled,
    check: (c) =>
      c.trustStorePath !== undefined
        ? undefined
        : { key: 'trustStorePath', expected: "the trust store holding the CA of Consul's certificate (required when consul_tls_enabled is true)" },
  },
];

/** Problem lines for every broken cross-key rule whose keys are individually valid. */
export function crossKeyProblems(config: HaConfig, invalidKeys: ReadonlySet<string>, path: string): string[] {
  const problems: string[] = [];
  const timingKeys = ['consulSessionTTLInSecond', 'leaderLeaseInSecond', 'consulConnectTimeoutInMillis', 'drainTimeoutInMillis', 'closeTimeoutInMillis'];
  if (!timingKeys.some((k) => invalidKeys.has(k))) {
    // the lease and deadline relations of docs/architecture.md rules 2, 9 and 11
    for (const broken of timingProblems(config)) {
      problems.push(`${path}.${broken.key}: expected ${broken.expected}, got ${describeValue(config[broken.key] ?? '(unset)', false)}`);
    }
  }
  for (const rule of CROSS_KEY_RULES) {
    if (rule.keys.some((k) => invalidKeys.has(k))) continue;
    if (rule.applies && !rule.applies(config)) continue;
    const broken = rule.check(config);
    if (broken) problems.push(`${path}.${broken.key}: expected ${broken.expected}, got ${describeValue(config[broken.key], HA_SECRET_KEYS.has(broken.key))}`);
  }
  return problems;
}
