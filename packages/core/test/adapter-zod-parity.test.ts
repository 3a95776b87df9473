/**
 * The kit against zod 4, on the option schemas the adapters ship today. Each zod schema below is copied from an
 * adapter's `src/ragloom-plugin.ts` (named beside it); the kit declaration under it is the one the migration
 * writes. For every input, both must agree: accepted with the same parsed value, or refused on the same options.
 * Where the kit is deliberately stricter, the case says so and checks it.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AnyOptionSchema, option } from '../src/adapter/index.js';
import type { StandardSchemaV1 } from '../src/index.js';

type Verdict = { ok: true; value: unknown } | { ok: false; options: string[] };

/** Accepted with a value, or refused on these top-level options (zod lists unknown keys in one issue). */
async function verdict(schema: StandardSchemaV1, value: unknown): Promise<Verdict> {
  const result = await schema['~standard'].validate(value);
  if (!result.issues) return { ok: true, value: result.value };
  const options = new Set<string>();
  for (const issue of result.issues as readonly { path?: readonly PropertyKey[]; keys?: string[] }[]) {
    const [first] = (issue.path ?? []).map((p) =>
      String(typeof p === 'object' && p !== null ? (p as { key: PropertyKey }).key : p),
    );
    if (first === undefined && issue.keys) for (const key of issue.keys) options.add(key);
    else options.add(first ?? '');
  }
  return { ok: false, options: [...options].sort() };
}

interface Pair {
  readonly adapter: string;
  readonly zod: StandardSchemaV1;
  readonly kit: AnyOptionSchema;
  readonly inputs: readonly unknown[];
  /** Inputs zod accepts and the kit refuses on purpose, with the option refused. */
  readonly stricter?: readonly [unknown, string][];
}

const positiveInt = z.number().int().positive();
const zodOnnxModelFields = {
  model: z.string().min(1),
  modelId: z.string().min(1).optional(),
  dtype: z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']).optional(),
  modelFile: z.string().min(1).optional(),
  revision: z.string().min(1).optional(),
  intraOpNumThreads: z.number().int().positive().optional(),
};
const positive = () => option.integer({ min: 1 }).optional();
const kitOnnxModelFields = {
  model: option.string(),
  modelId: option.string().optional(),
  dtype: option.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']).optional(),
  modelFile: option.string().optional(),
  revision: option.string().optional(),
  intraOpNumThreads: positive(),
};
const presets = ['auto', 'e5', 'bge-en', 'bge-zh', 'nomic', 'none'] as const;
const analyzerNames = ['english', 'cjk', 'auto', 'standard', 'whitespace'] as const;

const pairs: Pair[] = [
  {
    adapter: 'encoder-onnx',
    zod: z
      .object({
        ...zodOnnxModelFields,
        pooling: z.enum(['mean', 'cls', 'max', 'mean_sqrt_len', 'last']).optional(),
        normalize: z.boolean().optional(),
        prompts: z
          .union([
            z.enum(presets),
            z.object({ query: z.string().optional(), document: z.string().optional() }).strict(),
          ])
          .optional(),
        maxLength: positiveInt.optional(),
        maxBatchSize: positiveInt.optional(),
        maxBatchTokens: positiveInt.optional(),
        workers: z.number().int().nonnegative().optional(),
      })
      .strict(),
    kit: option.object({
      ...kitOnnxModelFields,
      pooling: option.enum(['mean', 'cls', 'max', 'mean_sqrt_len', 'last']).optional(),
      normalize: option.boolean().optional(),
      prompts: option
        .union([
          option.enum(presets),
          option.object({
            query: option.string({ minLength: 0 }).optional(),
            document: option.string({ minLength: 0 }).optional(),
          }),
        ])
        .optional(),
      maxLength: positive(),
      maxBatchSize: positive(),
      maxBatchTokens: positive(),
      workers: option.integer({ min: 0 }).optional(),
    }),
    inputs: [
      { model: 'Xenova/all-MiniLM-L6-v2' },
      { model: 'm', dtype: 'q8', pooling: 'cls', normalize: false, workers: 0, maxLength: 128 },
      { model: 'm', prompts: 'e5' },
      { model: 'm', prompts: { query: '', document: 'passage: ' } },
      { model: 'm', prompts: 'e6' },
      { model: 'm', prompts: { qeury: 'q' } },
      { model: 'm', prompts: 5 },
      { model: '' },
      {},
      { model: 'm', workers: -1, maxBatchSize: 0, dtype: 'fp64' },
      { model: 'm', intraOpNumThreads: 1.5 },
      { model: 'm', typo: 1, other: 2 },
      null,
      'm',
    ],
  },
  {
    adapter: 'encoder-openai',
    zod: z
      .object({
        model: z.string().min(1),
        baseURL: z.string().url().optional(),
        apiKeyEnv: z.string().min(1).optional(),
        dimensions: positiveInt.optional(),
        dimension: positiveInt.optional(),
        modelId: z.string().min(1).optional(),
        maxBatchSize: positiveInt.optional(),
        concurrency: positiveInt.optional(),
        encodingFormat: z.enum(['base64', 'float']).optional(),
        prompts: z
          .object({ query: z.string().optional(), document: z.string().optional() })
          .strict()
          .optional(),
        timeoutMs: positiveInt.optional(),
        maxRetries: z.number().int().nonnegative().optional(),
      })
      .strict(),
    kit: option.object({
      model: option.string(),
      baseURL: option.url().optional(),
      apiKeyEnv: option.string().optional(),
      dimensions: positive(),
      dimension: positive(),
      modelId: option.string().optional(),
      maxBatchSize: positive(),
      concurrency: positive(),
      encodingFormat: option.enum(['base64', 'float']).optional(),
      prompts: option
        .object({
          query: option.string({ minLength: 0 }).optional(),
          document: option.string({ minLength: 0 }).optional(),
        })
        .optional(),
      timeoutMs: positive(),
      maxRetries: option.integer({ min: 0 }).optional(),
    }),
    inputs: [
      { model: 'text-embedding-3-small' },
      {
        model: 'm',
        baseURL: 'http://127.0.0.1:11434/v1',
        dimensions: 512,
        maxRetries: 0,
        encodingFormat: 'float',
      },
      { model: 'm', baseURL: 'not a url' },
      { model: 'm', apiKey: 'sk-in-config' },
      { model: 'm', prompts: { query: 'q: ', passage: 'p: ' } },
      { model: 'm', timeoutMs: 0, concurrency: 2.5 },
      { model: 'm', encodingFormat: 'binary' },
    ],
    // A base URL a client cannot send HTTP requests to is a config mistake; zod's url() takes any scheme.
    stricter: [[{ model: 'm', baseURL: 'ftp://example.com/v1' }, 'baseURL']],
  },
  {
    adapter: 'generator-onnx',
    zod: z
      .object({
        ...zodOnnxModelFields,
        chatTemplate: z.string().min(1).optional(),
        contextOverflow: z.enum(['error', 'truncate-start']).optional(),
        contextLength: positiveInt.optional(),
        maxTokens: positiveInt.optional(),
      })
      .strict(),
    kit: option.object({
      ...kitOnnxModelFields,
      chatTemplate: option.string().optional(),
      contextOverflow: option.enum(['error', 'truncate-start']).optional(),
      contextLength: positive(),
      maxTokens: positive(),
    }),
    inputs: [
      { model: 'HuggingFaceTB/SmolLM2-360M-Instruct', contextOverflow: 'error', maxTokens: 64 },
      { model: 'm', contextOverflow: 'drop' },
      { model: 'm', chatTemplate: '' },
      { model: 'm', contextLength: '2048' },
    ],
  },
  {
    adapter: 'generator-openai',
    zod: z
      .object({
        model: z.string().min(1),
        baseURL: z.string().url().optional(),
        apiKeyEnv: z.string().min(1).optional(),
        provider: z.string().min(1).optional(),
        timeout: positiveInt.optional(),
        maxRetries: z.number().int().nonnegative().optional(),
        maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
        sendTopK: z.boolean().optional(),
        streamUsage: z.boolean().optional(),
        extraBody: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
    kit: option.object({
      model: option.string(),
      baseURL: option.url().optional(),
      apiKeyEnv: option.string().optional(),
      provider: option.string().optional(),
      timeout: positive(),
      maxRetries: option.integer({ min: 0 }).optional(),
      maxTokensField: option.enum(['max_tokens', 'max_completion_tokens']).optional(),
      sendTopK: option.boolean().optional(),
      streamUsage: option.boolean().optional(),
      extraBody: option.record(option.unknown()).optional(),
    }),
    inputs: [
      { model: 'gpt-4o-mini', extraBody: { top_k: 20, chat_template_kwargs: { enable_thinking: false } } },
      { model: 'm', extraBody: [1] },
      { model: 'm', extraBody: 'x' },
      { model: 'm', sendTopK: 'yes', maxTokensField: 'max' },
      { model: 'm', maxRetries: -1 },
    ],
  },
  {
    adapter: 'reranker-onnx',
    zod: z
      .object({
        ...zodOnnxModelFields,
        activation: z.enum(['auto', 'sigmoid', 'none']).optional(),
        maxLength: positiveInt.optional(),
        maxBatchSize: positiveInt.optional(),
        maxBatchTokens: positiveInt.optional(),
      })
      .strict(),
    kit: option.object({
      ...kitOnnxModelFields,
      activation: option.enum(['auto', 'sigmoid', 'none']).optional(),
      maxLength: positive(),
      maxBatchSize: positive(),
      maxBatchTokens: positive(),
    }),
    inputs: [
      { model: 'Xenova/ms-marco-MiniLM-L-6-v2', activation: 'sigmoid' },
      { model: 'm', activation: 'softmax' },
      { model: 'm', maxBatchTokens: 0 },
    ],
  },
  {
    adapter: 'retriever-bm25',
    zod: z
      .object({
        analyzer: z.union([z.enum(analyzerNames), z.looseObject({ type: z.enum(analyzerNames) })]).optional(),
        preset: z.enum(['anserini', 'lucene']).optional(),
        k1: z.number().positive().optional(),
        b: z.number().min(0).max(1).optional(),
      })
      .strict(),
    kit: option.object({
      analyzer: option
        .union([option.enum(analyzerNames), option.looseObject({ type: option.enum(analyzerNames) })])
        .optional(),
      preset: option.enum(['anserini', 'lucene']).optional(),
      k1: option.number({ exclusiveMin: 0 }).optional(),
      b: option.number({ min: 0, max: 1 }).optional(),
    }),
    inputs: [
      {},
      { analyzer: 'auto', k1: 0.9, b: 0.4 },
      { analyzer: { type: 'cjk', locale: 'ja', bigrams: 'always' } },
      { analyzer: { type: 'klingon' } },
      { analyzer: 'klingon', b: 2 },
      { k1: 0 },
      { b: -0.1, preset: 'bm25+' },
    ],
  },
  {
    adapter: 'retriever-qdrant',
    zod: z
      .object({
        url: z.string().url().optional(),
        apiKeyEnv: z.string().min(1).optional(),
        collection: z.string().min(1),
        metric: z.enum(['cosine', 'dot', 'l2']).optional(),
        vectorName: z.string().min(1).optional(),
      })
      .strict(),
    kit: option.object({
      url: option.url().optional(),
      apiKeyEnv: option.string().optional(),
      collection: option.string(),
      metric: option.enum(['cosine', 'dot', 'l2']).optional(),
      vectorName: option.string().optional(),
    }),
    inputs: [
      { collection: 'docs', url: 'https://qdrant.example.com:6333' },
      { collection: 'docs', url: 'nope', metric: 'manhattan' },
      { url: 'http://localhost:6333' },
      { collection: 'docs', vectorName: '' },
    ],
  },
];

describe.each(pairs)('the kit agrees with zod on $adapter options', ({ zod, kit, inputs, stricter }) => {
  it.each(inputs.map((input) => [JSON.stringify(input), input]))('%s', async (_label, input) => {
    const expected = await verdict(zod, input);
    expect(await verdict(kit, input)).toEqual(expected);
  });

  if (stricter) {
    it.each(stricter.map(([input, field]) => [JSON.stringify(input), input, field] as const))(
      'is stricter on purpose: %s',
      async (_label, input, field) => {
        expect((await verdict(zod, input)).ok).toBe(true);
        expect(await verdict(kit, input)).toEqual({ ok: false, options: [field] });
      },
    );
  }
});
