import { defineConfig } from 'vitest/config';

// `npm test` runs this through `plater test`, which starts a private stack and passes it in PLATER_* variables.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // End-to-end tests wait on a real stack (database round trips, WebSocket joins).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
