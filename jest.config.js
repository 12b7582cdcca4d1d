/** Native ESM jest; @swc/jest strips types so tests run the TypeScript sources directly. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'es6' } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // CLI tests start one node process per command; on a loaded 2-core machine a dozen of them take over 30 s.
  testTimeout: 60000,
  // A failed beforeAll can leave a server or client open; the run must end all the same (CI has a time limit).
  forceExit: true,
};
