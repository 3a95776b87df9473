import { vitestDefaults } from '@ragloom/test-utils/vitest';
import { defineConfig } from 'vitest/config';

// The verbose reporter lists every test by name, so a run without QDRANT_URL shows each skipped
// integration test with its reason instead of folding the file into one "skipped" line.
export default defineConfig({
  test: {
    ...vitestDefaults,
    reporters: ['verbose', ...vitestDefaults.reporters.filter((r) => r !== 'default')],
  },
});
