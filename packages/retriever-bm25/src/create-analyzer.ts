import { RagloomError } from '@ragloom/core';
import type { Analyzer, AnalyzerConfig, AnalyzerName } from './analyzer.js';
import { createAutoAnalyzer } from './auto-analyzer.js';
import { createCjkAnalyzer } from './cjk-analyzer.js';
import { createEnglishAnalyzer } from './english-analyzer.js';
import { createStandardAnalyzer } from './standard-analyzer.js';
import { createWhitespaceAnalyzer } from './whitespace-analyzer.js';

const NAMES: readonly AnalyzerName[] = ['english', 'cjk', 'auto', 'standard', 'whitespace'];

/** Builds a built-in analyzer from its name or settings (as stored in an index file). */
export function createAnalyzer(spec: AnalyzerName | AnalyzerConfig): Analyzer {
  const config: AnalyzerConfig | undefined =
    typeof spec === 'string' ? (NAMES.includes(spec) ? ({ type: spec } as AnalyzerConfig) : undefined) : spec;
  switch (config?.type) {
    case 'english':
      return createEnglishAnalyzer(config);
    case 'cjk':
      return createCjkAnalyzer(config);
    case 'auto':
      return createAutoAnalyzer(config);
    case 'standard':
      return createStandardAnalyzer(config);
    case 'whitespace':
      return createWhitespaceAnalyzer();
    default: {
      const got = typeof spec === 'string' ? `"${spec}"` : JSON.stringify(spec);
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `unknown analyzer ${got}; expected one of ${NAMES.join(', ')} or an object with \`id\` and \`analyze\``,
      );
    }
  }
}

/** An analyzer given as a name, a config, or a custom `{ id, analyze }` object. */
export function resolveAnalyzer(analyzer: AnalyzerName | AnalyzerConfig | Analyzer | undefined): Analyzer {
  if (analyzer === undefined) return createEnglishAnalyzer();
  if (typeof analyzer === 'object' && analyzer !== null && 'analyze' in analyzer) {
    if (
      typeof analyzer.analyze !== 'function' ||
      typeof analyzer.id !== 'string' ||
      analyzer.id.length === 0
    ) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        'a custom analyzer needs a non-empty string `id` and an `analyze(text)` function',
      );
    }
    return analyzer;
  }
  return createAnalyzer(analyzer);
}
