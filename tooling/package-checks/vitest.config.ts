import { vitestDefaults } from '@ragloom/test-utils/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    ...vitestDefaults,
    globalSetup: ['test/support/global-setup.ts'],
    // Each file installs into its own blank project; two at a time is what two cores take.
    maxWorkers: 2,
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
