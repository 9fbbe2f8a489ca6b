// docs/consul-behaviour.md §13 A1-A3: the HCL subset of policy files, and how rules resolve and merge.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyParseError, parsePolicyHcl } from './policy-hcl.js';
import { grants, keyWritePrefix, mergeRules, ruleFor } from './policy-rules.js';

describe('parsePolicyHcl (A1)', () => {
  it('A1: reads exact and prefix blocks, global rules and every comment style', () => {
    const rules = parsePolicyHcl(`
      # hash comment
      key_prefix "" { policy = "read" }
      key "foo/bar" {
        policy = "deny" // trailing comment
      }
      /* block
         comment */
      service "a4c" { policy = "write"  intentions = "read" }
      session_prefix "a4c-" { policy = "write" }
      node_prefix "" { policy = "read" }
      agent_prefix "a4c-" { policy = "read" }
      query_prefix "" { policy = "read" }
      event "deploy" { policy = "write" }
      operator = "read"
    `);
    expect([...rules.prefix.key]).toEqual([['', 'read']]);
    expect([...rules.exact.key]).toEqual([['foo/bar', 'deny']]);
    expect([...rules.exact.service]).toEqual([['a4c', 'write']]);
    expect([...rules.prefix.session]).toEqual([['a4c-', 'write']]);
    expect([...rules.prefix.node, ...rules.prefix.agent, ...rules.prefix.query]).toEqual([['', 'read'], ['a4c-', 'read'], ['', 'read']]);
    expect([...rules.exact.event]).toEqual([['deploy', 'write']]);
    expect(rules.global).toEqual({ operator: 'read' });
  });

  it.each([
    ['kv "x" { policy = "read" }', 'line 1: unknown resource "kv"'],
    ['key "x" { policy = "admin" }', 'line 1: expected one of "read", "list", "write", "deny", got "admin"'],
    ['service "x" { policy = "list" }', 'expected one of "read", "write", "deny"'],
    ['\n\nkey "x" { policy = "read" colour = "red" }', 'line 3: unknown field "colour" in key'],
    ['key "x" { }', 'line 1: key "x" has no policy'],
    ['key x { policy = "read" }', 'line 1: key needs a quoted name'],
    ['operator "read"', 'line 1: expected "="'],
    ['key "x" { policy = "read"', 'expected "}", got the end'],
    ['key "x\n" { policy = "read" }', 'unterminated string'],
  ])('A1: refuses %j with the line of the problem', (source, message) => {
    expect(() => parsePolicyHcl(source)).toThrow(PolicyParseError);
    expect(() => parsePolicyHcl(source)).toThrow(message);
  });

  it('A1: every shipped policy in deploy/consul/acl parses', () => {
    const dir = join(process.cwd(), 'deploy', 'consul', 'acl');
    const files = readdirSync(dir).filter((f) => f.endsWith('.hcl'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(() => parsePolicyHcl(readFileSync(join(dir, f), 'utf8'))).not.toThrow();
  });
});

describe('rule resolution (A2-A3)', () => {
  const rules = parsePolicyHcl(`
    key_prefix "" { policy = "read" }
    key_prefix "app/" { policy = "write" }
    key_prefix "app/secret/" { policy = "deny" }
    key "app/secret/open" { policy = "read" }
    key "app" { policy = "deny" }
  `);

  it.each([
    ['other', 'read'],
    ['app/x', 'write'],
    ['app/secret/x', 'deny'],
    ['app/secret/open', 'read'],
    ['app', 'deny'],
    ['apple', 'read'], // the exact rule on "app" does not reach longer names
  ])('A2: %j is governed by %j (exact over prefix, longest prefix wins)', (name, access) => {
    expect(ruleFor(rules, 'key', name)).toBe(access);
  });

  it('A2: no rule at all is undefined (the default policy decides)', () => {
    expect(ruleFor(parsePolicyHcl('key "a" { policy = "write" }'), 'key', 'b')).toBeUndefined();
    expect(ruleFor(parsePolicyHcl('operator = "read"'), 'operator', '')).toBe('read');
  });

  it('A1: write grants read and write, list grants read, read only read, deny nothing', () => {
    expect([grants('write', 'write'), grants('write', 'read'), grants('list', 'read'), grants('list', 'write'), grants('read', 'write'), grants('deny', 'read')])
      .toEqual([true, true, true, false, false, false]);
  });

  it('A3: merging two policies keeps the strongest disposition per rule: deny > write > read', () => {
    const merged = mergeRules([
      parsePolicyHcl('key "a" { policy = "write" }\nkey "b" { policy = "deny" }\nnode_prefix "" { policy = "read" }'),
      parsePolicyHcl('key "a" { policy = "read" }\nkey "b" { policy = "write" }\nnode_prefix "" { policy = "write" }\noperator = "read"'),
    ]);
    expect([ruleFor(merged, 'key', 'a'), ruleFor(merged, 'key', 'b'), ruleFor(merged, 'node', 'n'), ruleFor(merged, 'operator', '')]).toEqual(['write', 'deny', 'write', 'read']);
  });

  it('A6: a recursive delete needs write on the prefix and nothing weaker inside it', () => {
    expect(keyWritePrefix(rules, 'app/public/')).toBe(true);
    expect(keyWritePrefix(rules, 'app/')).toBe(false); // app/secret/ inside denies
    expect(keyWritePrefix(rules, 'other/')).toBe(false); // governed by read
    expect(keyWritePrefix(parsePolicyHcl('key "x" { policy = "write" }'), 'y/')).toBeUndefined();
  });
});
