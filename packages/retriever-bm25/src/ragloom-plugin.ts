import { defineRagloomPlugin, option } from '@ragloom/core/adapter';
import { openBm25Retriever } from './bm25-retriever.js';

// No schema library and no node: imports here: the package's main entry must keep loading in a browser.

const stopwords = option
  .array(option.string({ minLength: 0 }))
  .describe('Stop words (`[]` keeps every word).');
const bigrams = option.enum(['fallback', 'always', 'never']);
const locale = option.string().describe('Locale for Intl.Segmenter word segmentation (zh, ja, ...).');

/** A built-in analyzer by name, or its settings tagged by `type` (the fields of `AnalyzerConfig`). */
const analyzerOption = option.union([
  option.enum(['english', 'cjk', 'auto', 'standard', 'whitespace']),
  option.object({
    type: option.literal('english'),
    stopwords: stopwords.optional(),
    stem: option.boolean().optional(),
  }),
  option.object({
    type: option.literal('cjk'),
    locale: locale.optional(),
    bigrams: bigrams.optional(),
    stopwords: stopwords.optional(),
  }),
  option.object({
    type: option.literal('auto'),
    locale: locale.optional(),
    bigrams: bigrams.optional(),
    stopwords: stopwords.optional(),
    stem: option.boolean().optional(),
  }),
  option.object({ type: option.literal('standard'), stopwords: stopwords.optional() }),
  option.object({ type: option.literal('whitespace') }),
]);

/** The options a config may give the plugin, declared once with core's dependency-free kit. */
export const bm25RetrieverOptionsSchema = option.object({
  analyzer: analyzerOption.optional().describe('How text becomes terms (default english).'),
  preset: option.enum(['anserini', 'lucene']).optional().describe('k1/b preset (default anserini).'),
  k1: option.number({ exclusiveMin: 0 }).optional(),
  b: option.number({ min: 0, max: 1 }).optional(),
});

/** `"retrievers": [{ "name": "bm25", "use": "@ragloom/retriever-bm25", "options": { "analyzer": "auto" } }]` */
export const ragloomPlugin = defineRagloomPlugin({
  name: '@ragloom/retriever-bm25',
  retriever: {
    options: bm25RetrieverOptionsSchema,
    create: (options, context) =>
      openBm25Retriever({ ...options, path: `${context.storageDir.replace(/[\\/]+$/, '')}/bm25.index` }),
  },
});
