// Removes a build output directory before a build, so it holds exactly what the sources produce now
// (tsc never deletes the output of a file that was moved or excluded since).
import { rmSync } from 'node:fs';

for (const dir of process.argv.slice(2)) rmSync(dir, { recursive: true, force: true });
