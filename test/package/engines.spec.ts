import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const manifest = (path: string) => JSON.parse(readFileSync(join(process.cwd(), path), 'utf8')) as { engines?: { node?: string } };

describe('engines', () => {
  it('the workspace, @a4c/ha and the example accept exactly the Node versions @nestjs/terminus accepts', () => {
    const terminus = manifest('node_modules/@nestjs/terminus/package.json').engines?.node;
    expect(terminus).toBeDefined();
    for (const path of ['package.json', 'libs/ha/package.json', 'examples/standalone-app/package.json']) {
      expect({ path, node: manifest(path).engines?.node }).toEqual({ path, node: terminus });
    }
  });
});
