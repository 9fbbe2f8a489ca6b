import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from '@cdktf/hcl2json';

/** Every .hcl file shipped under deploy/ (Consul agents, ACL policies, consul-template). */
function hclFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.hcl'))
    .map((entry) => join(entry.parentPath, entry.name));
}

// No Consul or consul-template binary can be installed here, so `consul validate` cannot run; this is
// HashiCorp's own HCL parser (the Go hcl library compiled to WebAssembly), the syntax check those tools
// start with. The structural checks (keys, ports, paths) are in deploy-configs.int-spec.ts.
describe('deploy/**/*.hcl parse with HashiCorp HCL', () => {
  const files = hclFiles(join(process.cwd(), 'deploy'));

  it('finds the shipped HCL files', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files.map((file) => [relative(process.cwd(), file), file]))('%s', async (_name, file) => {
    const parsed = await parse(file, readFileSync(file, 'utf8'));
    expect(Object.keys(parsed).length).toBeGreaterThan(0);
  });

  it('rejects broken HCL (the check is not a no-op)', async () => {
    await expect(parse('broken.hcl', 'acl { enabled = ')).rejects.toThrow(/Missing expression|Invalid|Unclosed/);
  });
});
