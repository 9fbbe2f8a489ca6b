import { describe, expect, it } from '@jest/globals';
import { endpointOf } from './counting-proxy.js';

describe('endpointOf', () => {
  it('groups Consul calls by endpoint: ids out, query strings out, the KV key kept', () => {
    expect(endpointOf('/v1/session/renew/3f2c6a1e-1b2c-4d5e-8f90-0123456789ab?dc=dc1')).toBe('/v1/session/renew/:id');
    expect(endpointOf('/v1/kv/service%2Fa4c%2Fleader?index=42&wait=180s')).toBe('/v1/kv/service%2Fa4c%2Fleader');
    expect(endpointOf('/v1/agent/service/deregister/a4c-a4c-1')).toBe('/v1/agent/service/deregister/:id');
    expect(endpointOf('/v1/agent/check/pass/service:a4c-1')).toBe('/v1/agent/check/pass/:id');
  });
});
