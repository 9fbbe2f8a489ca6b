// `npm run docs`: rewrites the generated tables and timing figures of the docs from the code
// (tools/docs/generated-docs.ts); docs-in-sync.spec.ts fails while a committed doc differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DOCS, regenerate } from './generated-docs.js';

const root = process.cwd();
for (const file of GENERATED_DOCS) {
  const path = join(root, file);
  const before = readFileSync(path, 'utf8');
  const after = regenerate(before, root);
  if (after !== before) {
    writeFileSync(path, after);
    console.log(`rewrote ${file}`);
  }
}
