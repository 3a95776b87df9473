/**
 * Defaults every package's vitest.config.ts spreads: the default reporter for people, and a JSON
 * report in test-results/ that `npm test` sums into one table (turbo restores it on cache hits).
 */
export const vitestDefaults = {
  reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]] as [
    'default',
    ['json', { outputFile: string }],
  ],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  include: ['test/**/*.test.ts'],
};
