// Fails `npm run lint` on an import cycle between the modules of a source folder (libs/ha/src by
// default): a cycle makes load order matter, and in libs/ha it means two pieces that should have a narrow
// port between them know each other (docs/architecture.md §7). Type-only imports count too: they are
// erased at run time, but they still tie the two files' designs together.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const IMPORT = /(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"](\.{1,2}\/[^'"]+)['"]/g;

/** The relative imports of one TypeScript source, as paths of .ts files. */
export function importsOf(file, text) {
  const found = [];
  for (const match of text.matchAll(IMPORT)) found.push(resolve(dirname(file), match[1].replace(/\.js$/, '.ts')));
  return found;
}

/** Every cycle of the graph (file -> imported files), each once, as a list of files starting at its smallest. */
export function findCycles(graph) {
  const cycles = new Map();
  const state = new Map(); // undefined: unseen, 1: on the stack, 2: done
  const stack = [];
  const visit = (node) => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 1) {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(canonical.join(' -> '), canonical);
      } else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const node of [...graph.keys()].sort()) if (state.get(node) === undefined) visit(node);
  return [...cycles.values()];
}

/** The import graph of the production sources under `root` (specs and test doubles excluded). */
export function importGraph(root) {
  const graph = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !/\.(int-|e2e-)?spec\.ts$/.test(entry.name)) graph.set(path, importsOf(path, readFileSync(path, 'utf8')));
    }
  };
  walk(root);
  return graph;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? 'libs/ha/src');
  const cycles = findCycles(importGraph(root));
  for (const cycle of cycles) process.stderr.write(`import cycle in ${relative(process.cwd(), root)}: ${[...cycle, cycle[0]].map((f) => relative(root, f)).join(' -> ')}\n`);
  process.exit(cycles.length > 0 ? 1 : 0);
}
