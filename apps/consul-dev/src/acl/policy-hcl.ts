// A parser for the HCL that ACL policy files use, and only that (docs/consul-behaviour.md §13):
//   resource "name" { policy = "read|list|write|deny" [intentions = "..."] }   (segmented resources)
//   resource = "read|write|deny"                                               (operator, acl, keyring, mesh, peering)
// with `#`, `//` and `/* */` comments. Anything else is refused with the line it is on, so a policy
// file that real Consul would read differently never loads silently.
import { ACCESS_LEVELS, type Access, GLOBAL, type GlobalResource, type PolicyRules, SEGMENTED, type SegmentedResource, emptyRules } from './policy-rules.js';

export class PolicyParseError extends Error {}

interface Token {
  kind: 'word' | 'string' | 'punct';
  text: string;
  line: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '#' || source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new PolicyParseError(`line ${line}: unterminated comment`);
      line += source.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (c === '"') {
      let text = '';
      i++;
      while (source[i] !== '"') {
        if (i >= source.length || source[i] === '\n') throw new PolicyParseError(`line ${line}: unterminated string`);
        if (source[i] === '\\') i++;
        text += source[i++];
      }
      i++;
      tokens.push({ kind: 'string', text, line });
    } else if ('{}='.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))?.[0];
      if (word === undefined) throw new PolicyParseError(`line ${line}: unexpected ${JSON.stringify(c)}`);
      tokens.push({ kind: 'word', text: word, line });
      i += word.length;
    }
  }
  return tokens;
}

function access(token: Token | undefined, allowed: readonly Access[]): Access {
  if (token?.kind !== 'string' || !allowed.includes(token.text as Access)) {
    throw new PolicyParseError(`line ${token?.line ?? 'end'}: expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${token ? JSON.stringify(token.text) : 'the end'}`);
  }
  return token.text as Access;
}

function expect(token: Token | undefined, text: string): void {
  if (token?.text !== text || token.kind === 'string') throw new PolicyParseError(`line ${token?.line ?? 'end'}: expected ${JSON.stringify(text)}, got ${token ? JSON.stringify(token.text) : 'the end'}`);
}

/** Parses one policy's rules; throws PolicyParseError naming the line of the first problem. */
export function parsePolicyHcl(source: string): PolicyRules {
  const rules = emptyRules();
  const tokens = tokenize(source);
  let i = 0;
  while (i < tokens.length) {
    const head = tokens[i++];
    if (head.kind !== 'word') throw new PolicyParseError(`line ${head.line}: expected a resource, got ${JSON.stringify(head.text)}`);
    if ((GLOBAL as readonly string[]).includes(head.text)) {
      expect(tokens[i++], '=');
      rules.global[head.text as GlobalResource] = access(tokens[i++], ['read', 'write', 'deny']);
      continue;
    }
    const prefix = head.text.endsWith('_prefix');
    const resource = prefix ? head.text.slice(0, -'_prefix'.length) : head.text;
    if (!(SEGMENTED as readonly string[]).includes(resource)) throw new PolicyParseError(`line ${head.line}: unknown resource ${JSON.stringify(head.text)}`);
    const name = tokens[i++];
    if (name?.kind !== 'string') throw new PolicyParseError(`line ${head.line}: ${head.text} needs a quoted name`);
    expect(tokens[i++], '{');
    let disposition: Access | undefined;
    while (tokens[i] !== undefined && tokens[i].text !== '}') {
      const field = tokens[i++];
      expect(tokens[i++], '=');
      if (field.text === 'policy') disposition = access(tokens[i++], resource === 'key' ? ACCESS_LEVELS : ['read', 'write', 'deny']);
      else if (field.text === 'intentions' && resource === 'service') access(tokens[i++], ['read', 'write', 'deny']);
      else throw new PolicyParseError(`line ${field.line}: unknown field ${JSON.stringify(field.text)} in ${head.text}`);
    }
    expect(tokens[i++], '}');
    if (disposition === undefined) throw new PolicyParseError(`line ${head.line}: ${head.text} ${JSON.stringify(name.text)} has no policy`);
    rules[prefix ? 'prefix' : 'exact'][resource as SegmentedResource].set(name.text, disposition);
  }
  return rules;
}
