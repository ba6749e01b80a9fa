// Vitest run of the slow suites (`*.slow.test.ts`) that `npm test` leaves out: `npm run test:slow`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    include: ['packages/*/src/**/*.slow.test.ts', 'packages/*/test/**/*.slow.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 120_000,
  },
});
