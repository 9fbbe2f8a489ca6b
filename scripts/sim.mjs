// `npm run sim -- [--seeds N] [--first F] [--seed S] [--profile short|long]`: runs the deterministic
// simulation (test/simulation, docs/architecture.md § Deterministic simulation) over more seeds than
// `npm test` does, or replays one seed with its whole trace. It runs the same spec through jest, which
// compiles the TypeScript sources as the tests do; the options travel as SIM_* variables.
import { spawnSync } from 'node:child_process';

const USAGE = 'usage: npm run sim -- [--seeds N] [--first F] [--seed S] [--profile short|long]';
const OPTIONS = {
  '--seeds': { variable: 'SIM_SEEDS', check: positiveInteger, expected: 'a whole number of seeds >= 1' },
  '--first': { variable: 'SIM_FIRST_SEED', check: seedNumber, expected: 'a seed, a whole number from 0 to 4294967295' },
  '--seed': { variable: 'SIM_SEED', check: seedNumber, expected: 'a seed, a whole number from 0 to 4294967295' },
  '--profile': { variable: 'SIM_PROFILE', check: (v) => v === 'short' || v === 'long', expected: 'short or long' },
};

function positiveInteger(value) {
  return /^\d+$/.test(value) && Number(value) >= 1;
}

function seedNumber(value) {
  return /^\d+$/.test(value) && Number(value) <= 0xffffffff;
}

/** Wrong input: one line naming the option, the value and what was expected, exit 2. */
function refuse(line) {
  process.stderr.write(`${line}\n${USAGE}\n`);
  process.exit(2);
}

const env = { ...process.env, SIM_SEEDS: '10000', SIM_PROFILE: 'long' };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const [name, inline] = args[i].split('=', 2);
  if (name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n  defaults: --seeds 10000 --first 1 --profile long (npm test runs 2000 seeds of the short profile)\n`);
    process.exit(0);
  }
  const option = OPTIONS[name];
  if (!option) refuse(`unknown option ${name}`);
  const value = inline ?? args[++i];
  if (value === undefined || !option.check(value)) refuse(`${name}: got ${value === undefined ? 'nothing' : JSON.stringify(value)}, expected ${option.expected}`);
  env[option.variable] = value;
}

const jest = ['--expose-gc', '--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--runInBand', '--selectProjects', 'unit', '--testTimeout', '86400000', 'test/simulation/simulation.spec.ts'];
const runJest = (variables) => spawnSync(process.execPath, jest, { stdio: 'inherit', env: { ...env, ...variables } }).status ?? 1;

if (env.SIM_SEED !== undefined) process.exit(runJest({}));
// many seeds run in chunks, one process each: a run's garbage never piles up across thousands of seeds
const CHUNK = 1000;
const first = Number(env.SIM_FIRST_SEED ?? 1);
const total = Number(env.SIM_SEEDS);
let failed = 0;
for (let start = first; start < first + total; start += CHUNK) {
  const seeds = Math.min(CHUNK, first + total - start);
  if (runJest({ SIM_FIRST_SEED: String(start), SIM_SEEDS: String(seeds) }) !== 0) failed += 1;
}
if (failed > 0) process.stderr.write(`simulation: ${failed} chunk(s) of seeds had violations (see the replay commands above)\n`);
process.exit(failed > 0 ? 1 : 0);
