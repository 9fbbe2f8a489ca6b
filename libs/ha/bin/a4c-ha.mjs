#!/usr/bin/env node
// `a4c-ha`, the package's bin: runs the built operator CLI (dist/cli/main.js). npm links a bin only when
// its target exists at install time, and a fresh clone of the a4c-ha repository has no dist/ before its
// first build: this committed launcher is that target, so `npm ci && npx a4c-ha` works. In the
// repository (src/ beside dist/), it builds the package first when dist/ is missing or older than src/
// (tsc is a dev dependency there); an installed package ships dist/ and no src/, and only runs it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(packageRoot, 'dist', 'cli', 'main.js');
const sources = join(packageRoot, 'src');
const tsconfig = join(packageRoot, 'tsconfig.lib.json');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!/\.(int-|e2e-)?spec\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs); // specs are not built
  }
  return newest;
}

if (existsSync(sources) && existsSync(tsconfig) && (!existsSync(cli) || newestMtime(sources) > statSync(cli).mtimeMs)) {
  // stderr only: stdout is the command's answer (--format json)
  process.stderr.write('a4c-ha: building the @a4c/ha package first (its dist/ is missing or older than src/)\n');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', tsconfig], { stdio: ['ignore', process.stderr, process.stderr] });
}
if (!existsSync(cli)) {
  process.stderr.write(`a4c-ha: ${cli} is missing: build the package (npm run build:lib in the a4c-ha repository)\n`);
  process.exit(1);
}
await import(pathToFileURL(cli).href);
