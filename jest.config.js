// Native ESM under jest: run with --experimental-vm-modules (see package.json), TypeScript and
// middy's ESM-only packages are compiled by swc in place (no CommonJS rewrite needed).
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022', experimental: { keepImportAttributes: true } },
    module: { type: 'es6' },
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

export default {
  // Tests that talk to the emulator wait on a real server: a loaded 2-core runner needs more than 5 s.
  testTimeout: 30_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/unit-env.ts'],
    },
    {
      ...common,
      displayName: 'emulator',
      testMatch: ['<rootDir>/test/emulator/**/*.test.ts'],
      globalSetup: '<rootDir>/test/emulator/global-setup.ts',
      globalTeardown: '<rootDir>/test/emulator/global-teardown.ts',
    },
  ],
};
