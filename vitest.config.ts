import { defineConfig } from 'vitest/config'

// `npm test` runs this through `plater test`, which starts a private stack and passes it in PLATER_* variables.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Builds and packs the client package once for the tests that use it as an app would.
    globalSetup: ['tests/helpers/client-package.ts'],
    environment: 'node',
    // End-to-end tests wait on a real stack (database round trips, WebSocket joins).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Files and the tests inside them run in a random order, so no test can lean on another having run first.
    // `plater test` picks the seed and prints it; PLATER_TEST_SEED=<seed> npm test repeats an order.
    sequence: { shuffle: true },
    // supabase-js warns on every client it creates under Node 20 (this machine's); CI also runs every suite on
    // Node 22, where it is silent. Hundreds of copies hid the output that matters.
    onConsoleLog: (log) => !log.includes('Node.js 20 and below are deprecated'),
  },
})
