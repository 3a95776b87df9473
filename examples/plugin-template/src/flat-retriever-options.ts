import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';

/**
 * The factory's options, declared once: `openFlatRetriever` checks them with `parseOptions` (one INVALID_CONFIG
 * error naming every bad field), and the type below is inferred from the same declaration.
 */
export const flatRetrieverOptions = option.object({
  /** What the index holds: the encoder's model id, the dimension and the metric. */
  manifest: option.object({
    kind: option.literal('dense'),
    encoderModelId: option.string(),
    dimension: option.integer({ min: 1, max: 65_536 }),
    metric: option.enum(['cosine', 'dot', 'l2']),
  }),
  /** The index file. Without it the index lives in memory only. */
  path: option.string().optional(),
});

/** What `openFlatRetriever` takes. */
export type FlatRetrieverOptions = InferOptionsInput<typeof flatRetrieverOptions>;
/** The same, checked. */
export type ParsedFlatRetrieverOptions = InferOptions<typeof flatRetrieverOptions>;
