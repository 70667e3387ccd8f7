import { defineConfig } from 'vitest/config';

// `npm run test:full`: the exhaustive sweeps that `npm test` leaves out (files named
// *.full.test.ts), run after it by .ci/run.
export default defineConfig({
  test: {
    include: ['test/**/*.full.test.ts'],
    testTimeout: 300_000,
    // The sweep files are CPU-bound and independent: one worker per core.
    maxWorkers: 2,
  },
});
