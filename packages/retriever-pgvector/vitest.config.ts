import { vitestDefaults } from '@ragloom/test-utils/vitest';
import { defineConfig } from 'vitest/config';

// One PGlite server for the run (test/support/global-setup.ts), which also says when DATABASE_URL is not
// set; the verbose reporter names every test and the server it ran against.
export default defineConfig({
  test: {
    ...vitestDefaults,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    reporters: ['verbose', ...vitestDefaults.reporters.filter((r) => r !== 'default')],
  },
});
