import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

/** scripts/import-cycles.mjs, as `npm run lint` runs it. */
function check(root: string): { code: number; stderr: string } {
  try {
    execFileSync(process.execPath, ['scripts/import-cycles.mjs', root], { stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { status: number; stderr: Buffer };
    return { code: failed.status, stderr: failed.stderr.toString() };
  }
}

describe('the import-cycle lint (npm run lint)', () => {
  const root = mkdtempSync(join(tmpdir(), 'import-cycles-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('fails on a cycle, type-only imports and multi-line imports included, and names its files', () => {
    mkdirSync(join(root, 'election'));
    writeFileSync(join(root, 'election', 'elector.ts'), "import { Duties } from './duties.js';\nexport interface Deps { a: number }\n");
    writeFileSync(join(root, 'election', 'duties.ts'), "import type {\n  Deps,\n} from './elector.js';\nexport class Duties {}\n");
    writeFileSync(join(root, 'election', 'duties.spec.ts'), "import { Duties } from './duties.js';\n");
    const result = check(root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('election/duties.ts -> election/elector.ts -> election/duties.ts');
  });

  it('passes on libs/ha/src as it is', () => {
    expect(check('libs/ha/src')).toEqual({ code: 0, stderr: '' });
  });
});
