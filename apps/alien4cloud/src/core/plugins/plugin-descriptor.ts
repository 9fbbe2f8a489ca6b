import YAML from 'yaml';

export interface PluginDescriptor {
  readonly id: string;
  readonly name: string;
  readonly version: string;
}

/** Descriptor file names, in order of preference, inside `<directories.alien>/plugins/<dir>/`. */
export const DESCRIPTOR_FILES = ['plugin.json', 'plugin.yml', 'plugin.yaml'] as const;

const ID = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/;

/** Parses and checks one descriptor: the descriptor, or every problem with it joined in one reason. */
export function parsePluginDescriptor(fileName: string, text: string): { descriptor: PluginDescriptor } | { error: string } {
  let raw: unknown;
  try {
    raw = fileName.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    return { error: `${fileName}: not valid ${fileName.endsWith('.json') ? 'JSON' : 'YAML'} (${(error as Error).message.split('\n')[0]})` };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { error: `${fileName}: expected an object with id, name and version` };
  const { id, name, version } = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof id !== 'string' || !ID.test(id)) problems.push('"id" must be lowercase letters, digits, ".", "_" or "-"');
  if (typeof name !== 'string' || name.trim().length === 0) problems.push('"name" must be a non-empty string');
  if (typeof version !== 'string' || !VERSION.test(version)) problems.push('"version" must look like 1.2.3');
  if (problems.length > 0) return { error: `${fileName}: ${problems.join('; ')}` };
  return { descriptor: { id: id as string, name: name as string, version: version as string } };
}
