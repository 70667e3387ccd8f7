import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Exhaustive sweeps (every rule on every bundled instance: minutes of CPU) run in
    // `npm run test:full` (vitest.full.config.ts); `npm test` checks the same behaviours on a
    // representative subset.
    exclude: [...configDefaults.exclude, 'test/**/*.full.test.ts'],
    // Environment tests run full episodes on 100x20 instances; the default 5 s is too tight on a
    // shared two-core machine.
    testTimeout: 60_000,
  },
});
