// `npm start` must work on a fresh clone: build when dist/ is missing or older than any source file.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue; // outputs (libs/ha/dist), not sources
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const marker = join('dist', 'apps', 'alien4cloud', 'main.js');
// the app runs the built @a4c/ha package (libs/ha/dist, reached through the workspace link)
const libraryEntry = join('libs', 'ha', 'dist', 'index.js');
const sourcesChanged = () => Math.max(newestMtime('apps'), newestMtime('libs')) > statSync(marker).mtimeMs;
if (!existsSync(marker) || !existsSync(libraryEntry) || sourcesChanged()) {
  execSync('npm run build', { stdio: 'inherit' });
}
