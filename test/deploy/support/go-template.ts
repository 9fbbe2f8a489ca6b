/**
 * A small interpreter for the subset of Go's text/template (with consul-template's functions) that
 * deploy/nginx/a4c.conf.ctmpl uses, so the tests can render the real template against a given Consul
 * state (consul-template itself is not installable here). Supported: text with `{{- -}}` trimming,
 * comments, `if`/`else`/`end`, `range`, `with`, `$x := …`, `$x = …`, parenthesised calls, fields
 * (`.A.B`, `$x.a`), string and number literals. Anything else throws, so a template that drifts outside
 * the subset fails the test instead of rendering something wrong.
 */

export interface ConsulView {
  /** Key -> value and holding session (absent: the key does not exist). */
  kv: Record<string, { value: string; session?: string }>;
  /** Service name -> registered instances with their aggregated health. */
  services: Record<string, Array<{ id: string; node: string; address: string; port: number; status: 'passing' | 'warning' | 'critical' }>>;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; expr: string }
  | { kind: 'block'; keyword: 'if' | 'range' | 'with'; expr: string; body: Node[]; otherwise: Node[] };

type Scope = Map<string, unknown>[];

function renderGoTemplate(source: string, view: ConsulView): string {
  const nodes = parse(tokenize(source));
  return run(nodes, view, [new Map([['$', view]])]);
}

/** Splits into text and action tokens, applying the trim markers. */
function tokenize(source: string): Array<{ text: string } | { action: string }> {
  const tokens: Array<{ text: string } | { action: string }> = [];
  let at = 0;
  let trimNext = false;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    let text = source.slice(at, open < 0 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      tokens.push({ text });
      break;
    }
    const close = source.indexOf('}}', open);
    if (close < 0) throw new Error(`unclosed action at offset ${open}`);
    let inner = source.slice(open + 2, close);
    if (/^-\s/.test(inner)) {
      text = text.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    trimNext = /\s-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -1);
    tokens.push({ text }, { action: inner.trim() });
    at = close + 2;
  }
  return tokens;
}

function parse(tokens: Array<{ text: string } | { action: string }>): Node[] {
  let i = 0;
  const block = (stopAt: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const token = tokens[i++];
      if ('text' in token) {
        if (token.text) nodes.push({ kind: 'text', text: token.text });
        continue;
      }
      const action = token.action;
      if (action.startsWith('/*')) continue;
      if (stopAt.includes(action)) return { nodes, stop: action };
      const keyword = /^(if|range|with)\s+(.+)$/s.exec(action);
      if (keyword) {
        const body = block(['else', 'end']);
        const otherwise = body.stop === 'else' ? block(['end']).nodes : [];
        nodes.push({ kind: 'block', keyword: keyword[1] as 'if' | 'range' | 'with', expr: keyword[2], body: body.nodes, otherwise });
        continue;
      }
      if (action === 'else' || action === 'end' || /^else\s/.test(action)) throw new Error(`unexpected {{${action}}}`);
      nodes.push({ kind: 'action', expr: action });
    }
    if (stopAt.length > 0) throw new Error(`missing {{end}}`);
    return { nodes, stop: '' };
  };
  return block([]).nodes;
}

function run(nodes: Node[], dot: unknown, scope: Scope): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'action') out += action(node.expr, dot, scope);
    else out += runBlock(node, dot, scope);
  }
  return out;
}

function runBlock(node: Extract<Node, { kind: 'block' }>, dot: unknown, scope: Scope): string {
  const value = evaluate(node.expr, dot, scope);
  const inner = (d: unknown) => run(node.body, d, [...scope, new Map()]);
  if (!truthy(value)) return run(node.otherwise, dot, [...scope, new Map()]);
  if (node.keyword === 'if') return inner(dot);
  if (node.keyword === 'with') return inner(value);
  if (!Array.isArray(value)) throw new Error(`range over a non-list: ${node.expr}`);
  return value.map((item) => inner(item)).join('');
}

function action(expr: string, dot: unknown, scope: Scope): string {
  const assign = /^(\$\w+)\s*(:?=)\s*(.+)$/s.exec(expr);
  if (!assign) return print(evaluate(expr, dot, scope));
  const value = evaluate(assign[3], dot, scope);
  if (assign[2] === ':=') scope[scope.length - 1].set(assign[1], value);
  else {
    const owner = [...scope].reverse().find((frame) => frame.has(assign[1]));
    if (!owner) throw new Error(`assignment to undeclared ${assign[1]}`);
    owner.set(assign[1], value);
  }
  return '';
}

function print(value: unknown): string {
  return value === undefined || value === null ? '<no value>' : String(value);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Splits an expression into literals, parenthesised groups, fields, variables and identifiers. */
function words(expr: string): string[] {
  const out: string[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|\(|\)|\$\w*(?:\.\w+)*|(?:\.\w+)+|\.|\w+)/y;
  let at = 0;
  while (at < expr.trimEnd().length) {
    pattern.lastIndex = at;
    const match = pattern.exec(expr);
    if (!match) throw new Error(`cannot parse "${expr.slice(at)}" in {{${expr}}}`);
    out.push(match[1]);
    at = pattern.lastIndex;
  }
  return out;
}

function evaluate(expr: string, dot: unknown, scope: Scope): unknown {
  const tokens = words(expr);
  let i = 0;
  const operand = (): unknown => {
    const token = tokens[i++];
    if (token === '(') {
      const value = command(')');
      i++; // ')'
      return value;
    }
    if (token.startsWith('"')) return JSON.parse(token) as string;
    if (/^-?\d/.test(token)) return Number(token);
    if (token === '.') return dot;
    if (token.startsWith('.')) return fields(dot, token.slice(1).split('.'));
    if (token.startsWith('$')) {
      const [name, ...path] = token.split('.');
      const frame = [...scope].reverse().find((f) => f.has(name));
      if (!frame) throw new Error(`undefined variable ${name}`);
      return fields(frame.get(name), path);
    }
    throw new Error(`unexpected "${token}" in {{${expr}}}`);
  };
  const command = (until?: string): unknown => {
    const head = tokens[i];
    if (/^[a-zA-Z]\w*$/.test(head)) {
      i++;
      const args: unknown[] = [];
      while (i < tokens.length && tokens[i] !== until) args.push(operand());
      return call(head, args);
    }
    return operand();
  };
  const value = command();
  if (i !== tokens.length) throw new Error(`unexpected "${tokens[i]}" in {{${expr}}}`);
  return value;
}

function fields(value: unknown, path: string[]): unknown {
  let current = value;
  for (const name of path) {
    if (current === null || typeof current !== 'object') throw new Error(`field ${name} of a non-object`);
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

function call(name: string, args: unknown[]): unknown {
  const fn = FUNCTIONS[name];
  if (!fn) throw new Error(`function ${name} is not supported by the test renderer`);
  return fn(...args);
}

let currentView: ConsulView = { kv: {}, services: {} };
const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  keyExists: (path) => String(path) in currentView.kv,
  key: (path) => {
    const entry = currentView.kv[String(path)];
    if (!entry) throw new Error(`key ${String(path)} is missing: consul-template would block this render`);
    return entry.value;
  },
  ls: (prefix) =>
    Object.entries(currentView.kv)
      .filter(([path]) => path.startsWith(String(prefix)))
      .map(([path, entry]) => ({ Path: path, Key: path.slice(String(prefix).length).replace(/^\/+/, ''), Value: entry.value, Session: entry.session ?? '' }))
      .filter((pair) => pair.Key !== '' && !pair.Key.includes('/')),
  service: (name) =>
    (currentView.services[String(name)] ?? [])
      .filter((s) => s.status === 'passing') // without a filter, consul-template returns passing instances only
      .map((s) => ({ ID: s.id, Name: String(name), Node: s.node, Address: s.address, Port: s.port, Status: s.status })),
  parseJSON: (text) => (text === '' ? {} : JSON.parse(String(text))),
  printf: (format, ...args) => {
    let n = 0;
    return String(format).replace(/%[sdv]/g, () => print(args[n++]));
  },
  eq: (a, ...rest) => rest.some((b) => a === b),
  and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
  not: (a) => !truthy(a),
};

/** Renders with the given Consul state (the functions read it; rendering is synchronous). */
export function renderConsulTemplate(source: string, view: ConsulView): string {
  currentView = view;
  try {
    return renderGoTemplate(source, view);
  } finally {
    currentView = { kv: {}, services: {} };
  }
}
