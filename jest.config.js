// Three layers (docs/architecture.md §7, convention 9): co-located unit specs, integration specs against the dev doubles and
// the test Elasticsearch over real HTTP, and e2e specs under test/ with real processes.
// NestJS 12 is ESM-only, so tests run as native ESM (node --experimental-vm-modules) compiled by swc.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'es6' },
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  // `@a4c/ha` runs from its TypeScript source in tests (the built package is for dist/ and for users).
  moduleNameMapper: { '^@a4c/ha$': '<rootDir>/libs/ha/src/index.ts', '^@a4c/ha/testing$': '<rootDir>/libs/ha/src/testing/index.ts', '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/dist-test/', '<rootDir>/libs/ha/dist/', '<rootDir>/examples/'],
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools,bench,test}/**/*.spec.ts'] },
    // integration specs start real processes (JVMs for keytool and Elasticsearch, servers): a test that
    // needs no bound of its own still gets 30 s on a loaded 2-core machine before jest calls it hung
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/**/*.int-spec.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'], testTimeout: 30_000 },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
