// tsc keeps the source layout (apps/<app>/src/main.ts -> <out>/apps/<app>/src/main.js), while the
// command-line contract (docs/architecture.md §4) is `node dist/apps/<app>/main.js`: write a one-line entry
// per app of the output directory named as the argument (dist for the production build, dist-test for
// the test build's apps such as the demo).
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const outDir = process.argv[2] ?? 'dist';
const appsDir = join(outDir, 'apps');
for (const app of readdirSync(appsDir)) {
  if (!existsSync(join(appsDir, app, 'src', 'main.js'))) continue;
  writeFileSync(join(appsDir, app, 'main.js'), "import './src/main.js';\n");
}
