import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { NORMATIVE, PRIMITIVE_TYPES, type RequirementDef, type TypeDef } from './support/tosca-normative.js';

const TOSCA = join(process.cwd(), 'deploy', 'tosca');
const load = (file: string) => parse(readFileSync(join(TOSCA, file), 'utf8'), { uniqueKeys: true }) as Record<string, unknown>;

type Category = 'node_types' | 'capability_types' | 'relationship_types' | 'data_types';
type Template = {
  type: string;
  properties?: Record<string, unknown>;
  capabilities?: Record<string, { properties?: Record<string, unknown> }>;
  requirements?: Array<Record<string, string | { node: string; capability?: string; relationship?: string | { type: string; properties?: Record<string, unknown> } }>>;
};

const typesFile = load('a4c-ha-types.yml');
const topologyFile = load('a4c-ha-topology.yml');
const topology = topologyFile.topology_template as { inputs: Record<string, unknown>; node_templates: Record<string, Template>; outputs: Record<string, unknown> };

/** Normative types merged with the sample's own: the type system the topology is checked against. */
const types = Object.fromEntries(
  (['node_types', 'capability_types', 'relationship_types', 'data_types'] as Category[]).map((c) => [
    c,
    { ...NORMATIVE[c], ...((typesFile[c] ?? {}) as Record<string, TypeDef>) },
  ]),
) as Record<Category, Record<string, TypeDef>>;

/** The chain from a type to its root, e.g. [a4c.nodes.Nginx, tosca.nodes.LoadBalancer, tosca.nodes.Root]. */
function chain(category: Category, name: string): string[] {
  const seen: string[] = [];
  for (let current: string | undefined = name; current; current = types[category][current]?.derived_from) {
    if (seen.includes(current)) throw new Error(`${category} ${name}: derived_from cycle ${seen.join(' -> ')}`);
    if (!types[category][current]) {
      if (category === 'data_types' && PRIMITIVE_TYPES.has(current)) return [...seen, current];
      throw new Error(`${category}: ${current} (in the chain of ${name}) is not defined`);
    }
    seen.push(current);
  }
  return seen;
}
const derivesFrom = (category: Category, name: string, ancestor: string) => chain(category, name).includes(ancestor);
const inherited = <K extends 'properties' | 'capabilities'>(category: Category, name: string, key: K) =>
  Object.assign({}, ...chain(category, name).reverse().map((t) => types[category][t]?.[key] ?? {})) as NonNullable<TypeDef[K]>;
function requirementsOf(nodeType: string): Record<string, RequirementDef> {
  return Object.assign({}, ...chain('node_types', nodeType).reverse().flatMap((t) => types.node_types[t].requirements ?? []));
}
const capabilityType = (def: { type: string } | string) => (typeof def === 'string' ? def : def.type);
const knownValueType = (type: string) => PRIMITIVE_TYPES.has(type) || type in types.data_types;

describe('deploy/tosca (TOSCA Simple Profile 1.3 types and the sample HA topology)', () => {
  it('declares tosca_simple_yaml_1_3 and the topology imports the types file', () => {
    expect(typesFile.tosca_definitions_version).toBe('tosca_simple_yaml_1_3');
    expect(topologyFile.tosca_definitions_version).toBe('tosca_simple_yaml_1_3');
    const imports = (topologyFile.imports as Array<{ file: string }>).map((i) => i.file);
    expect(imports).toEqual(['a4c-ha-types.yml']);
    for (const file of imports) expect(existsSync(join(TOSCA, file))).toBe(true);
  });

  it.each([
    ['node_types', 'tosca.nodes.'],
    ['capability_types', 'tosca.capabilities.'],
    ['relationship_types', 'tosca.relationships.'],
  ] as Array<[Category, string]>)('every one of the sample %s derives, through defined types, from a normative %s* type', (category, prefix) => {
    const own = Object.keys((typesFile[category] ?? {}) as object);
    expect(own.length).toBeGreaterThan(0);
    for (const name of own) {
      expect(name.startsWith('tosca.')).toBe(false); // never redefine a normative type
      const normative = chain(category, name).filter((t) => t.startsWith(prefix));
      expect({ name, endsAtNormative: normative.length > 0 && normative.at(-1) === `${prefix}Root` }).toEqual({ name, endsAtNormative: true });
    }
  });

  it('every type the sample types refer to is defined: capabilities, requirements, relationships, property types', () => {
    for (const [name, def] of Object.entries(typesFile.node_types as Record<string, TypeDef>)) {
      for (const [cap, capDef] of Object.entries(def.capabilities ?? {})) expect({ name, cap, defined: capabilityType(capDef) in types.capability_types }).toEqual({ name, cap, defined: true });
      for (const [req, r] of Object.entries(requirementsOf(name))) {
        expect({ name, req, capability: r.capability in types.capability_types }).toEqual({ name, req, capability: true });
        if (r.node) expect({ name, req, node: r.node in types.node_types }).toEqual({ name, req, node: true });
        if (r.relationship) {
          expect({ name, req, relationship: r.relationship in types.relationship_types }).toEqual({ name, req, relationship: true });
          const targets = types.relationship_types[r.relationship].valid_target_types ?? [];
          expect({ name, req, relationshipAcceptsCapability: targets.length === 0 || targets.some((t) => derivesFrom('capability_types', r.capability, t)) }).toEqual({ name, req, relationshipAcceptsCapability: true });
        }
      }
    }
    for (const category of ['node_types', 'capability_types', 'relationship_types'] as Category[]) {
      for (const [name, def] of Object.entries((typesFile[category] ?? {}) as Record<string, TypeDef>)) {
        for (const [prop, p] of Object.entries(def.properties ?? {})) expect({ name, prop, type: p.type, known: knownValueType(p.type) }).toEqual({ name, prop, type: p.type, known: true });
        for (const target of def.valid_target_types ?? []) expect({ name, target, known: target in types.capability_types }).toEqual({ name, target, known: true });
      }
    }
  });

  it('every node template has a defined type, only defined properties, and every required property', () => {
    for (const [name, template] of Object.entries(topology.node_templates)) {
      expect({ name, type: template.type, defined: template.type in types.node_types }).toEqual({ name, type: template.type, defined: true });
      const properties = inherited('node_types', template.type, 'properties');
      for (const prop of Object.keys(template.properties ?? {})) expect({ name, prop, defined: prop in properties }).toEqual({ name, prop, defined: true });
      const missing = Object.entries(properties).filter(([prop, p]) => p.required !== false && p.default === undefined && !(prop in (template.properties ?? {})));
      expect({ name, missing: missing.map(([p]) => p) }).toEqual({ name, missing: [] });
      const capabilities = inherited('node_types', template.type, 'capabilities');
      for (const [cap, assignment] of Object.entries(template.capabilities ?? {})) {
        expect({ name, cap, defined: cap in capabilities }).toEqual({ name, cap, defined: true });
        const capProperties = inherited('capability_types', capabilityType(capabilities[cap]), 'properties');
        for (const prop of Object.keys(assignment.properties ?? {})) expect({ name, cap, prop, defined: prop in capProperties }).toEqual({ name, cap, prop, defined: true });
      }
    }
  });

  it('every requirement names a defined requirement and a target node that offers a matching capability over a defined relationship', () => {
    for (const [name, template] of Object.entries(topology.node_templates)) {
      const definitions = requirementsOf(template.type);
      const counts: Record<string, number> = {};
      for (const entry of template.requirements ?? []) {
        const [[req, assignment]] = Object.entries(entry);
        const where = `${name}.${req}`;
        const def = definitions[req];
        if (!def) throw new Error(`${where}: ${template.type} defines no requirement "${req}"`);
        counts[req] = (counts[req] ?? 0) + 1;
        const target = typeof assignment === 'string' ? { node: assignment } : assignment;
        const targetTemplate = topology.node_templates[target.node];
        if (!targetTemplate) throw new Error(`${where}: no node template "${target.node}"`);
        if (def.node && !derivesFrom('node_types', targetTemplate.type, def.node)) throw new Error(`${where}: ${targetTemplate.type} is not a ${def.node}`);
        const offered = Object.entries(inherited('node_types', targetTemplate.type, 'capabilities'))
          .filter(([capName]) => !target.capability || capName === target.capability || capabilityType(inherited('node_types', targetTemplate.type, 'capabilities')[capName]) === target.capability)
          .map(([, capDef]) => capabilityType(capDef))
          .filter((capType) => derivesFrom('capability_types', capType, def.capability));
        if (offered.length === 0) throw new Error(`${where}: ${target.node} offers no ${def.capability}${target.capability ? ` named ${target.capability}` : ''}`);
        const relationship = typeof target.relationship === 'object' ? target.relationship.type : (target.relationship ?? def.relationship);
        if (!relationship || !(relationship in types.relationship_types)) throw new Error(`${where}: relationship ${relationship} is not defined`);
        if (def.relationship && !derivesFrom('relationship_types', relationship, def.relationship)) throw new Error(`${where}: ${relationship} is not a ${def.relationship}`);
        const valid = inheritedTargets(relationship);
        if (valid.length > 0 && !offered.some((capType) => valid.some((v) => derivesFrom('capability_types', capType, v)))) throw new Error(`${where}: ${relationship} cannot target ${offered.join()}`);
        if (typeof target.relationship === 'object') {
          const relProps = inherited('relationship_types', relationship, 'properties');
          for (const prop of Object.keys(target.relationship.properties ?? {})) if (!(prop in relProps)) throw new Error(`${where}: ${relationship} has no property ${prop}`);
        }
      }
      for (const [req, def] of Object.entries(definitions)) {
        const [min, max] = def.occurrences ?? [1, 1];
        const count = counts[req] ?? 0;
        // TOSCA's default occurrences are [1, 1]: a SoftwareComponent without a host is an error
        expect({ where: `${name}.${req}`, count, tooFew: count < min, tooMany: max !== 'UNBOUNDED' && count > max }).toEqual({ where: `${name}.${req}`, count, tooFew: false, tooMany: false });
      }
    }
  });

  it('models the HA architecture: ≥2 A4C hosts with a local agent, 3 Consul servers, ≥2 Elasticsearch nodes, a shared FS, nginx + consul-template', () => {
    const byType = (type: string) => Object.entries(topology.node_templates).filter(([, t]) => t.type === type).map(([n]) => n);
    const hostOf = (name: string) => topology.node_templates[name].requirements?.map((r) => r.host).find((h) => h !== undefined);
    const scalable = (compute: string) => topology.node_templates[compute].capabilities?.scalable?.properties ?? {};
    const [a4c] = byType('a4c.nodes.Alien4Cloud');
    expect(scalable(String(hostOf(a4c))).min_instances).toBeGreaterThanOrEqual(2);
    expect(byType('a4c.nodes.ConsulAgent').map(hostOf)).toContain(hostOf(a4c));
    expect(scalable(String(hostOf(byType('a4c.nodes.ConsulServer')[0])))).toMatchObject({ min_instances: 3, default_instances: 3 });
    expect(scalable(String(hostOf(byType('a4c.nodes.ElasticsearchNode')[0]))).min_instances).toBeGreaterThanOrEqual(2);
    expect(byType('a4c.nodes.SharedFileSystemServer')).toHaveLength(1);
    const [nginx] = byType('a4c.nodes.Nginx');
    expect(hostOf(byType('a4c.nodes.ConsulTemplate')[0])).toBe(hostOf(nginx));
  });

  it('every get_input names a declared input, and get_attribute a normative attribute of the node', () => {
    const text = JSON.stringify(topology);
    for (const [, input] of text.matchAll(/"get_input":"(\w+)"/g)) expect({ input, declared: input in topology.inputs }).toEqual({ input, declared: true });
    for (const [, node, attribute] of text.matchAll(/"get_attribute":\["(\w+)","(\w+)"\]/g)) {
      const type = topology.node_templates[node]?.type;
      const attributes = Object.assign({}, ...chain('node_types', type).map((t) => types.node_types[t].attributes ?? {}));
      expect({ node, attribute, defined: attribute in attributes }).toEqual({ node, attribute, defined: true });
    }
  });
});

function inheritedTargets(relationship: string): string[] {
  for (const t of chain('relationship_types', relationship)) {
    const targets = types.relationship_types[t].valid_target_types;
    if (targets) return targets;
  }
  return [];
}
