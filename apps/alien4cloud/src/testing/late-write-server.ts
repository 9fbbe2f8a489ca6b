import 'reflect-metadata';
import { runServer } from '../run-server.js';
import { TestPluginModule } from './late-write-plugin/test-plugin.module.js';

// The server with the late-write test plugin in its full graph, for test/e2e/fenced-writes.e2e-spec.ts.
// Test-only: compiled by `npm run build:test` into dist-test/, never into the production dist/.
runServer({ extraModules: [TestPluginModule] });
