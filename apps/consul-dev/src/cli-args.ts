// Command-line parsing for `node dist/apps/consul-dev/main.js`. Pure: returns options or throws a
// CliArgsError whose message main.ts prints before exiting with status 2.

import { type FaultTimings, TIMING_KEYS, timingFlag } from './cluster/fault-timings.js';

export class CliArgsError extends Error {}

export interface CliOptions {
  port: number;
  controlPort: number;
  host: string;
  node?: string;
  /** `--agent NAME[:PORT]` (repeatable) / `--agents a,b,c`: several client agents; absent = one dev agent. */
  agents?: Array<{ node: string; port?: number }>;
  timings: Partial<FaultTimings>;
  /** Plain secrets (legacy: first management, others read-only) or `{ secret, policies }` from `SECRET=POLICY[,POLICY]`. */
  aclTokens: Array<string | { secret: string; policies: string[] }>;
  /** `--acl-policy NAME=FILE`: policy name → HCL file (read by main.ts). */
  aclPolicyFiles: Record<string, string>;
  aclDefaultPolicy?: 'allow' | 'deny';
  tls?: { certFile: string; keyFile: string; caFile: string; verifyIncoming: boolean };
  timeScale: number;
  help: boolean;
}

export const USAGE = `usage: node dist/apps/consul-dev/main.js [--port N] [--control-port M] [--node NAME]
         [--agent NAME[:PORT] ... | --agents A,B,...] [--detect-ms N --rejoin-ms N ...]
         [--acl-token T ... | --acl-token SECRET=POLICY[,POLICY] ...] [--acl-policy NAME=FILE ...]
         [--acl-default-policy allow|deny] [--tls-cert F --tls-key F --tls-ca F [--verify-incoming]]
         [--bind ADDR] [--time-scale X]
  --port N            Consul HTTP(S) API port of the (first) agent (default 8500; 0 = any free port)
  --control-port M    fault-injection control API port (default 0 = any free port)
  --node NAME         the single agent's node name (default consul-dev)
  --agent NAME[:PORT] one client agent per host, each its own node and API port (repeatable); the first
                      listens on --port, the others on PORT or a free port
  --agents A,B,...    the same, comma-separated
  --detect-ms N, --rejoin-ms N, --dial-timeout-ms N, --keepalive-ms N, --no-servers-ms N,
  --in-flight-fail-ms N, --rpc-hold-ms N
                      delays of the cluster faults in wall-clock ms (defaults: README, docs/consul-behaviour.md §12.1)
  --acl-token T       enable ACLs; repeatable or comma-separated; the first is management, others read-only
  --acl-token SECRET=POLICY[,POLICY]
                      a token bound to policies (global-management, builtin/global-read-only, or --acl-policy
                      names); SECRET anonymous binds the token of requests that send none
  --acl-policy NAME=FILE   an ACL policy from an HCL rules file (repeatable)
  --acl-default-policy allow|deny   what a name without a matching rule gets (default deny)
  --tls-cert/--tls-key/--tls-ca F   serve HTTPS with these PEM files (all three required)
  --verify-incoming   require a client certificate signed by --tls-ca
  --bind ADDR         listen address (default 127.0.0.1)
  --time-scale X      TEST ONLY: run Consul timers X times faster (default 1 = real time)`;

const TIMING_FLAGS = new Map<string, keyof FaultTimings>(TIMING_KEYS.map((k) => [timingFlag(k), k]));
const VALUED = new Set([
  '--port', '--control-port', '--node', '--agent', '--agents', '--acl-token', '--acl-policy', '--acl-default-policy', '--tls-cert', '--tls-key', '--tls-ca', '--bind', '--time-scale',
  ...TIMING_FLAGS.keys(),
]);
const FLAGS = new Set(['--verify-incoming', '--help', '-h']);

function port(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new CliArgsError(`${flag} must be a port number between 0 and 65535, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (FLAGS.has(name)) {
      flags.add(name);
      continue;
    }
    if (!VALUED.has(name)) throw new CliArgsError(`unknown argument ${JSON.stringify(arg)}`);
    const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (value.startsWith('--') && name === arg)) throw new CliArgsError(`${name} needs a value`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const single = (name: string): string | undefined => {
    const all = values.get(name);
    if (all && all.length > 1) throw new CliArgsError(`${name} given more than once`);
    return all?.[0];
  };
  const aclTokens = parseAclTokens(values.get('--acl-token') ?? []);
  const aclPolicyFiles = parseAclPolicies(values.get('--acl-policy') ?? []);
  const aclDefaultPolicy = single('--acl-default-policy');
  if (aclDefaultPolicy !== undefined && aclDefaultPolicy !== 'allow' && aclDefaultPolicy !== 'deny') {
    throw new CliArgsError(`--acl-default-policy must be allow or deny, got ${JSON.stringify(aclDefaultPolicy)}`);
  }
  const tlsFiles = ['--tls-cert', '--tls-key', '--tls-ca'].map(single);
  const tlsCount = tlsFiles.filter((f) => f !== undefined).length;
  if (tlsCount !== 0 && tlsCount !== 3) throw new CliArgsError('--tls-cert, --tls-key and --tls-ca must be given together');
  if (flags.has('--verify-incoming') && tlsCount === 0) throw new CliArgsError('--verify-incoming needs --tls-cert, --tls-key and --tls-ca');
  const scaleText = single('--time-scale') ?? '1';
  const timeScale = Number(scaleText);
  if (!/^\d+(\.\d+)?$/.test(scaleText) || !(timeScale > 0)) throw new CliArgsError(`--time-scale must be a positive number, got ${JSON.stringify(scaleText)}`);
  const node = single('--node');
  if (node !== undefined && node.trim() === '') throw new CliArgsError('--node must not be empty');
  const agents = parseAgents([...(values.get('--agent') ?? []), ...(values.get('--agents') ?? []).flatMap((v) => v.split(','))]);
  if (agents !== undefined && node !== undefined) throw new CliArgsError('--node and --agent/--agents are exclusive (each agent names its node)');
  const timings: Partial<FaultTimings> = {};
  for (const [flag, key] of TIMING_FLAGS) {
    const text = single(flag);
    if (text === undefined) continue;
    if (!/^\d+$/.test(text)) throw new CliArgsError(`${flag} must be a number of milliseconds, got ${JSON.stringify(text)}`);
    timings[key] = Number(text);
  }
  const [certFile, keyFile, caFile] = tlsFiles;
  return {
    port: port(single('--port') ?? '8500', '--port'),
    controlPort: port(single('--control-port') ?? '0', '--control-port'),
    host: single('--bind') ?? '127.0.0.1',
    node,
    agents,
    timings,
    aclTokens,
    aclPolicyFiles,
    aclDefaultPolicy,
    tls: tlsCount === 3 ? { certFile: certFile!, keyFile: keyFile!, caFile: caFile!, verifyIncoming: flags.has('--verify-incoming') } : undefined,
    timeScale,
    help: flags.has('--help') || flags.has('-h'),
  };
}

/** `SECRET` (comma-separated list allowed, legacy) or `SECRET=POLICY[,POLICY]` (one token) per value. */
function parseAclTokens(specs: string[]): CliOptions['aclTokens'] {
  return specs.flatMap((spec): CliOptions['aclTokens'] => {
    const eq = spec.indexOf('=');
    if (eq < 0) {
      const secrets = spec.split(',').map((t) => t.trim());
      if (secrets.some((t) => t === '')) throw new CliArgsError('--acl-token must not be empty');
      return secrets;
    }
    const secret = spec.slice(0, eq).trim();
    const policies = spec.slice(eq + 1).split(',').map((p) => p.trim());
    if (secret === '' || policies.some((p) => p === '')) throw new CliArgsError(`--acl-token must be SECRET=POLICY[,POLICY], got a value with an empty part`);
    return [{ secret, policies }];
  });
}

/** `NAME=FILE` per value, each name once. */
function parseAclPolicies(specs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = spec.slice(0, eq).trim();
    if (eq <= 0 || name === '' || spec.slice(eq + 1).trim() === '') throw new CliArgsError(`--acl-policy must be NAME=FILE, got ${JSON.stringify(spec)}`);
    if (name in out) throw new CliArgsError(`--acl-policy ${name} given twice`);
    out[name] = spec.slice(eq + 1).trim();
  }
  return out;
}

/** `NAME` or `NAME:PORT` per agent; undefined when none was given. */
function parseAgents(specs: string[]): CliOptions['agents'] {
  if (specs.length === 0) return undefined;
  const seen = new Set<string>();
  return specs.map((raw) => {
    const spec = raw.trim();
    const colon = spec.lastIndexOf(':');
    const name = colon >= 0 ? spec.slice(0, colon) : spec;
    if (name === '') throw new CliArgsError(`--agent needs a node name, got ${JSON.stringify(raw)}`);
    if (seen.has(name)) throw new CliArgsError(`--agent ${name} given twice`);
    seen.add(name);
    return colon >= 0 ? { node: name, port: port(spec.slice(colon + 1), `--agent ${name}`) } : { node: name };
  });
}
