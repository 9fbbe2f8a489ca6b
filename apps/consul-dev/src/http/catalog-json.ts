// The catalog's node and service objects as the health and catalog endpoints write them (every node of
// the double is at 127.0.0.1 in datacenter dc1).
import type { CatalogService } from '../state/check-registry.js';
import type { NodeState } from '../state/consul-state.js';
import { DATACENTER } from './agent-routes.js';

const NODE_ADDRESS = '127.0.0.1';

export function nodeJson(node: NodeState) {
  const index = node.registry.catalogCreateIndex;
  return {
    ID: '',
    Node: node.node,
    Address: NODE_ADDRESS,
    Datacenter: DATACENTER,
    TaggedAddresses: { lan: NODE_ADDRESS, lan_ipv4: NODE_ADDRESS, wan: NODE_ADDRESS, wan_ipv4: NODE_ADDRESS },
    Meta: {},
    CreateIndex: index,
    ModifyIndex: index,
  };
}

export function serviceJson(s: CatalogService) {
  return {
    ID: s.ID,
    Service: s.Service,
    Tags: s.Tags,
    Address: s.Address,
    Meta: s.Meta,
    Port: s.Port,
    Weights: s.Weights,
    EnableTagOverride: s.EnableTagOverride,
    CreateIndex: s.CreateIndex,
    ModifyIndex: s.ModifyIndex,
  };
}
