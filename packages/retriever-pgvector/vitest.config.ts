import { vitestDefaults } from '@ragloom/test-utils/vitest';
import { defineConfig } from 'vitest/config';

// One PGlite server for the run (test/support/global-setup.ts); the verbose reporter names every test,
// so a run without DATABASE_URL shows the skipped external-server test with its reason.
export default defineConfig({
  test: {
    ...vitestDefaults,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    reporters: ['verbose', ...vitestDefaults.reporters.filter((r) => r !== 'default')],
  },
});
