import {defineConfig} from 'vitest/config';

export default defineConfig({
  test: {
    include: [`tests/**/*.test.ts`],
    testTimeout: 180000,
    hookTimeout: 180000,
    pool: `forks`,
  },
});
