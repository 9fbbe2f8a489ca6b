// What counts as test code in a build output or a package (paths relative to its root): the folders this
// repository keeps tests and test support in, spec files, and the late-write test plugin. The one
// exception is the deliberate `@a4c/ha/testing` entry point: the in-memory Consul and the fake clock,
// shipped for applications' own tests (libs/ha/README.md "Testing your application").
const TEST_CODE = /(^|[/\\])(testing|test-support|test|bench|late-write-plugin)([/\\]|$)|\.(spec|int-spec|e2e-spec)\.|late-write/;
const SHIPPED_DOUBLES = /^dist[/\\]testing([/\\](index|fake-clock|in-memory-consul)\.(js|d\.ts)(\.map)?)?$/;

export function isTestCode(file: string): boolean {
  return TEST_CODE.test(file) && !SHIPPED_DOUBLES.test(file);
}

/** Built code that only tests would import or serve: jest, Nest's testing module, the test plugin's route. */
export const TEST_ONLY_CONTENT = /@jest\/globals|@nestjs\/testing|rest\/v1\/test-plugin/;
