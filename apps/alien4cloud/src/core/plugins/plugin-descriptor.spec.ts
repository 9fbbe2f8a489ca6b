import { describe, expect, it } from '@jest/globals';
import { parsePluginDescriptor } from './plugin-descriptor.js';

describe('parsePluginDescriptor', () => {
  it('reads JSON and YAML descriptors', () => {
    const descriptor = { id: 'a4c-kube', name: 'Kubernetes', version: '1.2.3' };
    expect(parsePluginDescriptor('plugin.json', JSON.stringify(descriptor))).toEqual({ descriptor });
    expect(parsePluginDescriptor('plugin.yml', 'id: a4c-kube\nname: Kubernetes\nversion: 1.2.3\n')).toEqual({ descriptor });
  });

  it.each([
    ['plugin.json', '{', 'plugin.json: not valid JSON'],
    ['plugin.yml', 'id: [', 'plugin.yml: not valid YAML'],
    ['plugin.json', '[]', 'plugin.json: expected an object with id, name and version'],
    ['plugin.json', '{"id":"A B","name":"","version":"1"}', 'plugin.json: "id" must be lowercase letters, digits, ".", "_" or "-"; "name" must be a non-empty string; "version" must look like 1.2.3'],
  ])('reports a bad %s', (file, text, start) => {
    const result = parsePluginDescriptor(file, text);
    expect('error' in result && result.error.startsWith(start)).toBe(true);
  });
});
