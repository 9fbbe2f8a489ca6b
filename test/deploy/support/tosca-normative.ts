/**
 * The normative TOSCA Simple Profile 1.3 types the sample topology builds on, with the parts the checks
 * need (derived_from, properties, attributes, capabilities, requirements). Transcribed from the TOSCA
 * Simple Profile in YAML v1.3 specification, sections 5.3 (data types), 5.5 (capability types),
 * 5.7 (relationship types) and 5.9 (node types); only the types reachable from deploy/tosca are listed.
 */

export interface RequirementDef {
  capability: string;
  node?: string;
  relationship?: string;
  occurrences?: [number, number | 'UNBOUNDED'];
}

export interface TypeDef {
  derived_from?: string;
  properties?: Record<string, { type: string; required?: boolean; default?: unknown; constraints?: unknown[] }>;
  attributes?: Record<string, unknown>;
  capabilities?: Record<string, { type: string } | string>;
  requirements?: Array<Record<string, RequirementDef>>;
  valid_target_types?: string[];
}

const optional = (type: string) => ({ type, required: false });

export const NORMATIVE = {
  data_types: {
    'tosca.datatypes.Root': {},
    'tosca.datatypes.network.PortDef': { derived_from: 'integer' },
    'tosca.datatypes.Credential': { derived_from: 'tosca.datatypes.Root' },
  } as Record<string, TypeDef>,
  capability_types: {
    'tosca.capabilities.Root': {},
    'tosca.capabilities.Node': { derived_from: 'tosca.capabilities.Root' },
    'tosca.capabilities.Container': { derived_from: 'tosca.capabilities.Root' },
    'tosca.capabilities.Compute': {
      derived_from: 'tosca.capabilities.Container',
      properties: { name: optional('string'), num_cpus: optional('integer'), cpu_frequency: optional('scalar-unit.frequency'), disk_size: optional('scalar-unit.size'), mem_size: optional('scalar-unit.size') },
    },
    'tosca.capabilities.Endpoint': {
      derived_from: 'tosca.capabilities.Root',
      properties: {
        protocol: { type: 'string', default: 'tcp' },
        port: optional('tosca.datatypes.network.PortDef'),
        secure: { type: 'boolean', default: false },
        url_path: optional('string'),
        port_name: optional('string'),
        network_name: { type: 'string', default: 'PRIVATE' },
        initiator: { type: 'string', default: 'source' },
        ports: optional('map'),
      },
    },
    'tosca.capabilities.Endpoint.Public': { derived_from: 'tosca.capabilities.Endpoint' },
    'tosca.capabilities.Endpoint.Admin': { derived_from: 'tosca.capabilities.Endpoint' },
    'tosca.capabilities.Endpoint.Database': { derived_from: 'tosca.capabilities.Endpoint' },
    'tosca.capabilities.Attachment': { derived_from: 'tosca.capabilities.Root' },
    'tosca.capabilities.OperatingSystem': { derived_from: 'tosca.capabilities.Root' },
    'tosca.capabilities.Scalable': {
      derived_from: 'tosca.capabilities.Root',
      properties: { min_instances: { type: 'integer', default: 1 }, max_instances: { type: 'integer', default: 1 }, default_instances: optional('integer') },
    },
    'tosca.capabilities.network.Bindable': { derived_from: 'tosca.capabilities.Node' },
  } as Record<string, TypeDef>,
  relationship_types: {
    'tosca.relationships.Root': {},
    'tosca.relationships.DependsOn': { derived_from: 'tosca.relationships.Root', valid_target_types: ['tosca.capabilities.Node'] },
    'tosca.relationships.HostedOn': { derived_from: 'tosca.relationships.Root', valid_target_types: ['tosca.capabilities.Container'] },
    'tosca.relationships.ConnectsTo': { derived_from: 'tosca.relationships.Root', valid_target_types: ['tosca.capabilities.Endpoint'] },
    'tosca.relationships.AttachesTo': { derived_from: 'tosca.relationships.Root', valid_target_types: ['tosca.capabilities.Attachment'] },
    'tosca.relationships.RoutesTo': { derived_from: 'tosca.relationships.ConnectsTo', valid_target_types: ['tosca.capabilities.Endpoint'] },
  } as Record<string, TypeDef>,
  node_types: {
    'tosca.nodes.Root': {
      attributes: { tosca_id: {}, tosca_name: {}, state: {} },
      capabilities: { feature: { type: 'tosca.capabilities.Node' } },
      requirements: [{ dependency: { capability: 'tosca.capabilities.Node', node: 'tosca.nodes.Root', relationship: 'tosca.relationships.DependsOn', occurrences: [0, 'UNBOUNDED'] } }],
    },
    'tosca.nodes.Compute': {
      derived_from: 'tosca.nodes.Root',
      attributes: { private_address: {}, public_address: {}, networks: {}, ports: {} },
      capabilities: {
        host: { type: 'tosca.capabilities.Compute' },
        endpoint: { type: 'tosca.capabilities.Endpoint.Admin' },
        os: { type: 'tosca.capabilities.OperatingSystem' },
        scalable: { type: 'tosca.capabilities.Scalable' },
        binding: { type: 'tosca.capabilities.network.Bindable' },
      },
      requirements: [{ local_storage: { capability: 'tosca.capabilities.Attachment', node: 'tosca.nodes.BlockStorage', relationship: 'tosca.relationships.AttachesTo', occurrences: [0, 'UNBOUNDED'] } }],
    },
    'tosca.nodes.BlockStorage': { derived_from: 'tosca.nodes.Root', capabilities: { attachment: { type: 'tosca.capabilities.Attachment' } } },
    'tosca.nodes.SoftwareComponent': {
      derived_from: 'tosca.nodes.Root',
      properties: { component_version: optional('version'), admin_credential: optional('tosca.datatypes.Credential') },
      requirements: [{ host: { capability: 'tosca.capabilities.Compute', node: 'tosca.nodes.Compute', relationship: 'tosca.relationships.HostedOn' } }],
    },
    'tosca.nodes.LoadBalancer': {
      derived_from: 'tosca.nodes.Root',
      properties: { algorithm: optional('string') },
      capabilities: { client: { type: 'tosca.capabilities.Endpoint.Public' } },
      requirements: [{ application: { capability: 'tosca.capabilities.Endpoint', relationship: 'tosca.relationships.RoutesTo', occurrences: [0, 'UNBOUNDED'] } }],
    },
  } as Record<string, TypeDef>,
};

export const PRIMITIVE_TYPES = new Set([
  'string',
  'integer',
  'float',
  'boolean',
  'timestamp',
  'null',
  'version',
  'range',
  'list',
  'map',
  'scalar-unit.size',
  'scalar-unit.time',
  'scalar-unit.frequency',
  'scalar-unit.bitrate',
]);
