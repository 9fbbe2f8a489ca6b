/**
 * A strict parser for the subset of HCL the deploy/ samples use (Consul agent configs, ACL policies,
 * consul-template config): `#`, `//` and `/* *\/` comments, `key = value` attributes (strings, numbers,
 * booleans, octal-looking numbers such as 0644, lists), and blocks with zero or more string labels.
 * It throws on anything else, so a typo or a construct outside the subset fails the test.
 */

export type HclValue = string | number | boolean | HclValue[];

export interface HclBody {
  attributes: Record<string, HclValue>;
  blocks: HclBlock[];
}

export interface HclBlock {
  type: string;
  labels: string[];
  body: HclBody;
}

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string; line: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?|[A-Za-z_][\w-]*|[{}[\]=,]/y;
  let at = 0;
  while (at < source.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(source);
    const line = source.slice(0, at).split('\n').length;
    if (!match) throw new Error(`line ${line}: unexpected "${source.slice(at, at + 20)}"`);
    const text = match[0];
    at = pattern.lastIndex;
    if (/^(\s|#|\/\/|\/\*)/.test(text)) continue;
    const kind = text.startsWith('"') ? 'string' : /^-?\d/.test(text) ? 'number' : /^[A-Za-z_]/.test(text) ? 'ident' : 'punct';
    tokens.push({ kind, text, line });
  }
  return tokens;
}

export function parseHcl(source: string): HclBody {
  const tokens = tokenize(source);
  let i = 0;
  const fail = (what: string): never => {
    const token = tokens[i];
    throw new Error(token ? `line ${token.line}: ${what}, got "${token.text}"` : `end of file: ${what}`);
  };
  const expect = (text: string) => (tokens[i]?.text === text ? i++ : fail(`expected "${text}"`));

  const value = (): HclValue => {
    const token = tokens[i++];
    if (!token) return fail('expected a value');
    if (token.kind === 'string') return JSON.parse(token.text) as string;
    if (token.kind === 'number') return Number(token.text);
    if (token.text === 'true' || token.text === 'false') return token.text === 'true';
    if (token.text === '[') {
      const list: HclValue[] = [];
      while (tokens[i]?.text !== ']') {
        list.push(value());
        if (tokens[i]?.text === ',') i++;
        else if (tokens[i]?.text !== ']') fail('expected "," or "]"');
      }
      i++;
      return list;
    }
    i--;
    return fail('expected a value');
  };

  const body = (closing: boolean): HclBody => {
    const result: HclBody = { attributes: {}, blocks: [] };
    while (i < tokens.length && !(closing && tokens[i].text === '}')) {
      const name = tokens[i];
      if (name.kind !== 'ident') fail('expected an attribute or block name');
      i++;
      if (tokens[i]?.text === '=') {
        i++;
        if (name.text in result.attributes) throw new Error(`line ${name.line}: duplicate attribute ${name.text}`);
        result.attributes[name.text] = value();
        continue;
      }
      const labels: string[] = [];
      while (tokens[i]?.kind === 'string') labels.push(JSON.parse(tokens[i++].text) as string);
      expect('{');
      result.blocks.push({ type: name.text, labels, body: body(true) });
      expect('}');
    }
    return result;
  };

  return body(false);
}

/** The only block of a type (throws when absent or repeated). */
export function block(body: HclBody, type: string): HclBody {
  const found = body.blocks.filter((b) => b.type === type);
  if (found.length !== 1) throw new Error(`expected one "${type}" block, found ${found.length}`);
  return found[0].body;
}
