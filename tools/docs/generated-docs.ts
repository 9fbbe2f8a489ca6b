import { timingFigures } from './timing-figures.js';
import { generatedBlocks } from './config-tables.js';

/** The files whose tables and timing figures tools/docs generates. */
export const GENERATED_DOCS = ['README.md', 'libs/ha/README.md', 'docs/migrating-from-a4c.md', 'docs/operations.md', 'docs/architecture.md', 'docs/failure-modes.md'];

const BLOCK = /(<!-- BEGIN generated: ([\w-]+) \(npm run docs\) -->\n)([\s\S]*?\n)?(<!-- END generated: \2 -->)/g;
const FIGURE = /(<!--fig:(\w+)(?:@([\w-]+))?-->)(.*?)(<!--\/fig-->)/g;

/** The text with every generated block and figure as the code gives them; throws on an unknown name. */
export function regenerate(text: string, repoRoot: string): string {
  const blocks = generatedBlocks(repoRoot);
  return text
    .replace(BLOCK, (_, begin: string, name: string, _old: string | undefined, end: string) => {
      const render = blocks[name];
      if (!render) throw new Error(`unknown generated block ${name} (known: ${Object.keys(blocks).join(', ')})`);
      return `${begin}${render()}\n${end}`;
    })
    .replace(FIGURE, (_, open: string, name: string, configName: string | undefined, _old: string, close: string) => {
      const figures = timingFigures(configName);
      const figure = figures[name];
      if (figure === undefined) throw new Error(`unknown figure ${name} (known: ${Object.keys(figures).join(', ')})`);
      return `${open}${figure}${close}`;
    });
}

/** Names of the generated blocks a text contains. */
export function blocksIn(text: string): string[] {
  return [...text.matchAll(BLOCK)].map((m) => m[2]!);
}
