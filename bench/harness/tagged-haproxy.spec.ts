import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { renderHaproxyConfig } from '../../test/support/haproxy.js';
import { SERVED_BY, withServedByHeader } from './tagged-haproxy.js';

describe('withServedByHeader', () => {
  it('adds exactly one header line to the shipped backend and changes nothing else', () => {
    const shipped = renderHaproxyConfig(readFileSync(join(process.cwd(), 'deploy', 'haproxy', 'haproxy.cfg'), 'utf8'), 18080, [18088, 18089]);
    const tagged = withServedByHeader(shipped);
    const added = tagged.split('\n').filter((line) => !shipped.split('\n').includes(line));
    expect(added).toEqual(['    # bench only: who answered (server names a4c-1..N)', `    http-response set-header ${SERVED_BY} %s`]);
    expect(tagged.indexOf(SERVED_BY)).toBeGreaterThan(tagged.indexOf('backend a4c_leader'));
    expect(tagged).toContain('    server a4c-2 127.0.0.1:18089 check');
  });
});
