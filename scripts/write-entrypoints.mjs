// tsc keeps the source layout (apps/<app>/src/main.ts -> dist/apps/<app>/src/main.js), while the
// command-line contract (docs/architecture.md §4) is `node dist/apps/<app>/main.js`: write a one-line entry per app.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const appsDir = join('dist', 'apps');
for (const app of readdirSync(appsDir)) {
  if (!existsSync(join(appsDir, app, 'src', 'main.js'))) continue;
  writeFileSync(join(appsDir, app, 'main.js'), "import './src/main.js';\n");
}
