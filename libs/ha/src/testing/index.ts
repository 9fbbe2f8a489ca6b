// `@a4c/ha/testing`: the doubles an application's own tests use, shipped on purpose (libs/ha/README.md
// "Testing your application"). The rest of this folder (election harness, partitionable Consul, sample
// graph) is the plugin's own test support and stays out of the package (tsconfig.lib.json).
export { InMemoryConsul } from './in-memory-consul.js';
export { FakeClock, flushMicrotasks } from './fake-clock.js';
