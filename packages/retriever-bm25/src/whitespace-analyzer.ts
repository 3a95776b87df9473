import type { Analyzer } from './analyzer.js';

/**
 * Lowercase, split on whitespace, nothing else (Lucene's WhitespaceAnalyzer plus lowercasing). A
 * baseline: it is what a CJK-unaware search does with Chinese text (whole sentences become one term).
 */
export function createWhitespaceAnalyzer(): Analyzer {
  return {
    id: 'whitespace-v1',
    config: { type: 'whitespace' },
    analyze(text) {
      return text
        .toLowerCase()
        .split(/\s+/u)
        .filter((term) => term.length > 0);
    },
  };
}
