import { vitestDefaults } from '@ragloom/test-utils/vitest';
import { defineConfig } from 'vitest/config';

// These tests build real graphs: CPU-bound work of a second or two each on a quiet machine, which
// takes 15-30× longer where many processes share 2 cores (builds past 30 s were seen at load 25-40).
// The timeout here only catches a hang; nothing asserts on time (speed claims live in bench/hnsw).
export default defineConfig({ test: { ...vitestDefaults, testTimeout: 180_000 } });
