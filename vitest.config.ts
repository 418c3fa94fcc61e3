import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Derives the layer list, the schema and its validator from the sources first (src/tools/generate.ts).
    globalSetup: ['test/setup/generate.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs tests are CPU-heavy; two cores
    maxWorkers: 2,
  },
});
