import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

/** Runs the CLI in-process (no Consul needed for these): exit code and what it printed. */
async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, cwd: process.cwd(), interactive: false, signal: new AbortController().signal });
  return { code, out, err };
}

describe('a4c-ha --version and --help', () => {
  const version = (JSON.parse(readFileSync(join(process.cwd(), 'libs', 'ha', 'package.json'), 'utf8')) as { version: string }).version;

  it('--version prints the package version and exits 0, alone or after a command', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, out: [`a4c-ha ${version}`], err: [] });
    expect(await run(['list', '--version'])).toEqual({ code: 0, out: [`a4c-ha ${version}`], err: [] });
  });

  it('--version takes no value', async () => {
    expect(await run(['--version=1'])).toEqual({ code: 2, out: [], err: ['a4c-ha: --version takes no value'] });
  });

  it('--help lists --version', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('--version');
  });
});
