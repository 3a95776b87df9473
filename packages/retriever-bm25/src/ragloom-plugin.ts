import { join } from 'node:path';
import type { RagloomPluginV1 } from '@ragloom/core';
import { z } from 'zod';
import { type Bm25RetrieverOptions, openBm25Retriever } from './bm25-retriever.js';

const analyzerName = z.enum(['english', 'cjk', 'auto', 'standard', 'whitespace']);

export const bm25RetrieverOptionsSchema = z
  .object({
    analyzer: z.union([analyzerName, z.looseObject({ type: analyzerName })]).optional(),
    preset: z.enum(['anserini', 'lucene']).optional(),
    k1: z.number().positive().optional(),
    b: z.number().min(0).max(1).optional(),
  })
  .strict();

/** `"retrievers": [{ "name": "bm25", "use": "@ragloom/retriever-bm25", "options": { "analyzer": "auto" } }]` */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: '@ragloom/retriever-bm25',
  retriever: {
    optionsSchema: bm25RetrieverOptionsSchema,
    create: (options, context) =>
      openBm25Retriever({
        ...options,
        path: join(context.storageDir, 'bm25.index'),
      } as Bm25RetrieverOptions & { path: string }),
  },
};
