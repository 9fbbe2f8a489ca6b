import { describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isTestCode, TEST_ONLY_CONTENT } from './test-code.js';

// No test code in production: the production build (`npm run build`: dist/ and the library's
// libs/ha/dist) and the packed @a4c/ha hold no test plugin, test support or specs; the test build
// (`npm run build:test`, dist-test/) is where the e2e suites find theirs. The in-memory Consul and the
// fake clock ship on purpose as `@a4c/ha/testing`.
jest.setTimeout(120_000); // npm pack builds the library first

const run = promisify(execFile);
const repoRoot = process.cwd();

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

/** Built files whose content imports test libraries or serves the test plugin's route. */
function withTestContent(dir: string, files: string[]): string[] {
  return files.filter((file) => file.endsWith('.js') && TEST_ONLY_CONTENT.test(readFileSync(join(dir, file), 'utf8')));
}

describe('no test code in production', () => {
  it('the production build (dist/, libs/ha/dist) holds no test code', () => {
    const dist = join(repoRoot, 'dist');
    if (!existsSync(join(dist, 'apps', 'alien4cloud', 'main.js'))) throw new Error('run `npm run build` first');
    const files = filesUnder(dist);
    expect(files).toEqual(expect.arrayContaining([join('apps', 'alien4cloud', 'main.js'), join('apps', 'consul-dev', 'main.js')]));
    expect(files.filter(isTestCode)).toEqual([]);
    expect(withTestContent(dist, files)).toEqual([]);

    const library = join(repoRoot, 'libs', 'ha');
    const built = filesUnder(join(library, 'dist')).map((file) => join('dist', file));
    expect(built.filter(isTestCode)).toEqual([]);
    expect(withTestContent(library, built)).toEqual([]);
  });

  it('the packed @a4c/ha holds no test code, only the deliberate @a4c/ha/testing entry', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--workspace', 'libs/ha'], { cwd: repoRoot, env, maxBuffer: 16 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
    const files = packed.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/testing/index.js', 'dist/testing/in-memory-consul.js', 'dist/testing/fake-clock.js']));
    expect(files.filter(isTestCode)).toEqual([]);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]); // no sources
    const exportsMap = (JSON.parse(readFileSync(join(repoRoot, 'libs/ha/package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports;
    expect(Object.keys(exportsMap).sort()).toEqual(['.', './package.json', './testing']);
  });
});
