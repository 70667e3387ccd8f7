import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Exhaustive sweeps (every rule on every bundled instance: minutes of CPU) run in
    // `npm run test:full` (vitest.full.config.ts); `npm test` checks the same behaviours on a
    // representative subset.
    exclude: [...configDefaults.exclude, 'test/**/*.full.test.ts'],
    // Environment tests run full episodes on 100x20 instances, and the imitation test trains for
    // 22 s on a lightly loaded two-core machine but took 54 s with three other jobs sharing its
    // cores: the default 5 s, and even 60 s, are too tight there.
    testTimeout: 120_000,
    // Test files are CPU-bound and single-threaded (tfjs-wasm, llvmpipe, the CPU references):
    // one worker per core of the two-core machines this project runs on.
    maxWorkers: 2,
  },
});
