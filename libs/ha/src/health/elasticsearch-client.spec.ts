import { describe, expect, it } from '@jest/globals';
import { Client } from '@elastic/elasticsearch';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadElasticsearchClient } from './elasticsearch.health.js';

describe('the Elasticsearch client, an optional peer dependency of @a4c/ha', () => {
  it('is loaded from the application\'s node_modules when the indicator is configured', () => {
    expect(loadElasticsearchClient()).toBe(Client);
  });

  it('missing, the error names the package and the command that installs it, with the range of the package manifest', () => {
    const manifest = JSON.parse(readFileSync(join(process.cwd(), 'libs/ha/package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
    const empty = mkdtempSync(join(tmpdir(), 'a4c-no-es-'));
    try {
      const requireFromEmpty = createRequire(join(empty, 'app.js')); // a real lookup that finds no package
      expect(() => loadElasticsearchClient(requireFromEmpty)).toThrow(
        `the Elasticsearch health indicator (HaModule option "elasticsearch") needs the optional peer dependency @elastic/elasticsearch: npm install @elastic/elasticsearch@${manifest.peerDependencies['@elastic/elasticsearch']}`,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
