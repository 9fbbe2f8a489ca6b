import { describe, expect, it } from '@jest/globals';
import { parseCreateApplicationRequest } from './create-application.request.js';

describe('parseCreateApplicationRequest', () => {
  it('accepts a name with an optional description', () => {
    expect(parseCreateApplicationRequest({ name: 'a' })).toEqual({ request: { name: 'a' } });
    expect(parseCreateApplicationRequest({ name: 'a', description: 'd' })).toEqual({ request: { name: 'a', description: 'd' } });
    expect(parseCreateApplicationRequest({ name: 'a', description: null })).toEqual({ request: { name: 'a' } });
  });

  it.each([
    [undefined, 'expected a JSON object like {"name": "my-app"}'],
    [[], 'expected a JSON object like {"name": "my-app"}'],
    ['a', 'expected a JSON object like {"name": "my-app"}'],
    [{}, '"name" must be a string, got nothing'],
    [{ name: 'a', tags: [] }, 'unknown field(s): "tags" (expected: name, description)'],
    [{ name: 'a', description: 3 }, '"description" must be a string, got number'],
    [{ name: 'a', description: 'x'.repeat(4097) }, '"description" must be at most 4096 characters'],
  ])('refuses %j', (body, reason) => {
    expect(parseCreateApplicationRequest(body)).toEqual({ reason });
  });
});
