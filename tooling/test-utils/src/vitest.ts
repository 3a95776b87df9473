/**
 * Defaults every package's vitest.config.ts spreads: the default reporter for people, and a JSON
 * report in test-results/ that `npm test` sums into one table (turbo restores it on cache hits).
 * `RAGLOOM_VITEST_REPORT` moves the report (the Node-version runs write `vitest-node22.json`, ...,
 * so they never overwrite the main run's).
 */
export const vitestDefaults = {
  reporters: [
    'default',
    ['json', { outputFile: process.env.RAGLOOM_VITEST_REPORT ?? 'test-results/vitest.json' }],
  ] as ['default', ['json', { outputFile: string }]],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  include: ['test/**/*.test.ts'],
};
