#!/usr/bin/env node
import { runCli } from './run-cli.js';

// `a4c-ha <command>`: the operator tool (see run-cli.ts). Ctrl-C ends `watch` cleanly.
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
  interactive: process.stdout.isTTY === true,
  signal: stop.signal,
});
