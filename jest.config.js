/** Unit specs sit next to the code; end-to-end suites under test/ run the gateway over HTTP. */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
    },
  ],
};

/** ESM-only packages that @fastify/static (the /docs assets) pulls in; Node 20 can require them, Jest cannot. */
const transformIgnorePatterns = ['/node_modules/(?!(content-disposition)/)'];

module.exports = {
  // End-to-end tests start gateways and child processes; a loaded 2-core CI machine needs headroom.
  testTimeout: 20_000,
  coverageProvider: 'v8',
  collectCoverageFrom: [
    'src/**/*.ts',
    'libs/**/*.ts',
    '!**/*.spec.ts',
    '!**/*.contract.ts',
    '!**/*.fixture.ts',
    '!libs/testing/**',
  ],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 80 } },
  projects: [
    {
      displayName: 'unit',
      testEnvironment: '<rootDir>/test/support/shared-realm.environment.js',
      transform: { ...transform, '^.+\\.js$': transform['^.+\\.ts$'] },
      transformIgnorePatterns,
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: '<rootDir>/test/support/shared-realm.environment.js',
      transform: { ...transform, '^.+\\.js$': transform['^.+\\.ts$'] },
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
