import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Environment tests run full episodes on 100x20 instances; the default 5 s is too tight on a
    // shared two-core machine.
    testTimeout: 60_000,
  },
});
