import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** One key of the `ha:` section as its comment in HaConfig describes it. */
export interface HaKeyComment {
  readonly key: string;
  /** The comment's text without its tags, on one line. */
  readonly text: string;
  /** `a4c`: A4C shipped it; `later-a4c`: later A4C versions added it; undefined: this project added it. */
  readonly origin: 'a4c' | 'later-a4c' | undefined;
  /** A default that HA_DEFAULTS cannot state (derived, or following another key). */
  readonly defaultValue: string | undefined;
}

/**
 * Reads the comment of every member of `interface HaConfig` from its source file: the one place a key
 * is described, so that the configuration tables cannot differ from the code (tools/docs/README.md).
 */
export function readHaKeyComments(sourcePath: string): HaKeyComment[] {
  const text = readFileSync(sourcePath, 'utf8');
  const source = ts.createSourceFile(sourcePath, text, ts.ScriptTarget.Latest, true);
  const config = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'HaConfig');
  if (!config) throw new Error(`no interface HaConfig in ${sourcePath}`);
  return config.members.filter(ts.isPropertySignature).map((member) => {
    const key = member.name.getText(source);
    const ranges = ts.getLeadingCommentRanges(text, member.getFullStart()) ?? [];
    const doc = ranges.map((r) => text.slice(r.pos, r.end)).filter((c) => c.startsWith('/**')).pop();
    if (!doc) throw new Error(`HaConfig.${key} has no /** comment: write the line the configuration tables show for it`);
    return parseComment(key, doc);
  });
}

function parseComment(key: string, doc: string): HaKeyComment {
  const body = doc
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\*?\s?/, '').trim())
    .join(' ');
  // only our two tags start a tag: any other @word (a package name, an email) stays text
  const [text, ...tagParts] = body.split(/\s(?=@(?:origin|defaultValue)\b)|^(?=@(?:origin|defaultValue)\b)/);
  const tags = new Map(tagParts.map((part) => {
    const match = /^@(\w+)\s*(.*)$/.exec(part.trim());
    if (!match) throw new Error(`HaConfig.${key}: unreadable tag ${part}`);
    return [match[1]!, match[2]!.trim()] as const;
  }));
  const origin = tags.get('origin');
  if (origin !== undefined && origin !== 'a4c' && origin !== 'later-a4c') throw new Error(`HaConfig.${key}: @origin must be a4c or later-a4c, got ${origin}`);
  return { key, text: (text ?? '').replace(/\s+/g, ' ').trim(), origin, defaultValue: tags.get('defaultValue') };
}
