#!/usr/bin/env node
// Runs the test Elasticsearch (a real single-node ES 8.19 built from Maven Central jars, see pom.xml),
// building it first when target/ is missing or older than its sources.
//
//   node tools/elasticsearch/start.mjs [--port 9200] [--data DIR] [--cluster-name X] [--node-name Y]
//   node tools/elasticsearch/start.mjs --build-only
//   node tools/elasticsearch/start.mjs --print-command --port N --data DIR
//
// Default data directory: .es-data/ at the repository root (gitignored). --print-command builds if needed
// and prints {"command","args"} as JSON instead of running: test helpers spawn java themselves, so the
// process they signal is the JVM and not this wrapper; the JVM flags live here only.
// Extra JVM flags: ES_JAVA_OPTS (e.g. "-Dtest.es.log.level=info" for the node's own logs on stderr).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const jar = join(here, 'target', 'test-elasticsearch.jar');
const libDir = join(here, 'target', 'lib');
const lockDir = join(here, 'target', '.build-lock');

// Small heap and the serial collector: the machine has 2 cores, and tests may run a node next to several
// Node.js processes. 512 MB is ample for the handful of small indices the tests and the demo create.
const JVM_FLAGS = ['-Xms256m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true', '-Dfile.encoding=UTF-8'];

function parseArgs(argv) {
  const opts = { port: 9200, data: join(repoRoot, '.es-data'), clusterName: undefined, nodeName: undefined, buildOnly: false, printCommand: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${arg}`);
      return argv[++i];
    };
    if (arg === '--port') opts.port = Number.parseInt(value(), 10);
    else if (arg === '--data') opts.data = resolve(value());
    else if (arg === '--cluster-name') opts.clusterName = value();
    else if (arg === '--node-name') opts.nodeName = value();
    else if (arg === '--build-only') opts.buildOnly = true;
    else if (arg === '--print-command') opts.printCommand = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error('bad --port');
  return opts;
}

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function isBuilt() {
  if (!existsSync(jar) || !existsSync(libDir)) return false;
  const sources = Math.max(statSync(join(here, 'pom.xml')).mtimeMs, newestMtime(join(here, 'src')));
  return statSync(jar).mtimeMs >= sources;
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

// Two test processes may ask for a build at once (e.g. parallel jest workers); two Maven runs writing the
// same target/ would corrupt it. A directory is created atomically, so it serves as the lock; a lock left
// by a process that died is taken over.
function withBuildLock(fn) {
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number.parseInt(readFileSync(join(lockDir, 'pid'), 'utf8'), 10);
      } catch {
        /* the owner has not written its pid yet */
      }
      if (Number.isInteger(owner) && !pidAlive(owner)) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lockDir}`, { cause: error });
      else sleepSync(200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

export function ensureBuilt() {
  if (isBuilt()) return;
  withBuildLock(() => {
    if (isBuilt()) return; // built by whoever held the lock before us
    process.stderr.write('test-elasticsearch: building with Maven (first run downloads ~85 MB)...\n');
    // Maven's output goes to stderr: our stdout is reserved for --print-command's JSON.
    execFileSync('mvn', ['-q', '-B', '-f', join(here, 'pom.xml'), 'package'], { stdio: ['ignore', process.stderr, process.stderr] });
  });
}

function javaCommand() {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function launchArgs(opts) {
  const extra = (process.env.ES_JAVA_OPTS ?? '').split(/\s+/).filter(Boolean);
  const args = [...JVM_FLAGS, ...extra, '-jar', jar, '--port', String(opts.port), '--data', opts.data];
  if (opts.clusterName) args.push('--cluster-name', opts.clusterName);
  if (opts.nodeName) args.push('--node-name', opts.nodeName);
  return args;
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`test-elasticsearch: ${error.message}\n`);
    process.exit(2);
  }
  ensureBuilt();
  if (opts.buildOnly) return;
  if (opts.printCommand) {
    process.stdout.write(`${JSON.stringify({ command: javaCommand(), args: launchArgs(opts) })}\n`);
    return;
  }
  mkdirSync(opts.data, { recursive: true });
  const child = spawn(javaCommand(), launchArgs(opts), { stdio: 'inherit' });
  // Forward stop signals so the node closes cleanly (its shutdown hook) rather than being orphaned.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('error', (error) => {
    process.stderr.write(`test-elasticsearch: cannot run java: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGKILL' ? 137 : 1)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
