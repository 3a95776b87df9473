import { vitestDefaults } from '@ragloom/test-utils/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { ...vitestDefaults } });
