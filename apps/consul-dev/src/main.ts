// CLI entry: `node dist/apps/consul-dev/main.js --port N ...`. Prints a banner to stderr, exactly one
// JSON ready line to stdout, exits 0 on SIGTERM/SIGINT and 2 on bad arguments.
import { readFileSync } from 'node:fs';
import { CliArgsError, USAGE, parseCliArgs, type CliOptions } from './cli-args.js';
import { startConsulDev } from './consul-dev-server.js';
import { AclConfigError } from './http/acl.js';

function fail(message: string, code: number): never {
  process.stderr.write(`consul-dev: ${message}\n${code === 2 ? `${USAGE}\n` : ''}`);
  process.exit(code);
}

function readTls(options: CliOptions) {
  if (!options.tls) return undefined;
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new CliArgsError(`cannot read ${what} ${file}: ${(error as Error).message}`);
    }
  };
  return {
    cert: read(options.tls.certFile, '--tls-cert'),
    key: read(options.tls.keyFile, '--tls-key'),
    ca: read(options.tls.caFile, '--tls-ca'),
    verifyIncoming: options.tls.verifyIncoming,
  };
}

/** The `--acl-policy` files' HCL text by policy name (parsed, with line numbers on error, at start). */
function readPolicies(options: CliOptions): Record<string, string> {
  return Object.fromEntries(Object.entries(options.aclPolicyFiles).map(([name, file]) => {
    try {
      return [name, readFileSync(file, 'utf8')];
    } catch (error) {
      throw new CliArgsError(`cannot read --acl-policy ${name} file ${file}: ${(error as Error).message}`);
    }
  }));
}

async function main(): Promise<void> {
  let options: CliOptions;
  let tls: ReturnType<typeof readTls>;
  let aclPolicies: Record<string, string>;
  try {
    options = parseCliArgs(process.argv.slice(2));
    tls = readTls(options);
    aclPolicies = readPolicies(options);
  } catch (error) {
    if (error instanceof CliArgsError) fail(error.message, 2);
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  process.stderr.write(
    '*** consul-dev: a DEV DOUBLE of the Consul HTTP API for tests and demos. NOT Consul, NOT FOR PRODUCTION. ***\n' +
      (options.timeScale !== 1 ? `*** consul-dev: --time-scale ${options.timeScale}: Consul timers run ${options.timeScale}x faster ***\n` : ''),
  );
  let server;
  try {
    server = await startConsulDev({ ...options, tls, aclTokens: options.aclTokens, aclPolicies, aclDefaultPolicy: options.aclDefaultPolicy });
  } catch (error) {
    // a policy that does not parse or a token bound to an unknown policy is a bad argument
    fail(`cannot start: ${(error as Error).message}`, error instanceof AclConfigError ? 2 : 1);
  }
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      port: server.port,
      controlPort: server.controlPort,
      scheme: server.scheme,
      node: server.node,
      ...(options.agents ? { agents: server.agents } : {}),
    })}\n`,
  );
}

void main();
