import type { JsonObject } from '@ragloom/onnx-model';

/** Text put before queries and documents, as a model was trained (e5: "query: " / "passage: "). */
export interface EncoderPrompts {
  readonly query: string;
  readonly document: string;
}

/** Prompts of well-known model families, from their model cards. */
export const ENCODER_PROMPT_PRESETS = {
  /** intfloat/e5-*, multilingual-e5-* */
  e5: { query: 'query: ', document: 'passage: ' },
  /** BAAI/bge-*-en(-v1.5), mixedbread mxbai-embed-large: an instruction for short queries only. */
  'bge-en': { query: 'Represent this sentence for searching relevant passages: ', document: '' },
  /** BAAI/bge-*-zh(-v1.5) */
  'bge-zh': { query: '为这个句子生成表示以用于检索相关文章：', document: '' },
  /** nomic-ai/nomic-embed-text-* */
  nomic: { query: 'search_query: ', document: 'search_document: ' },
  /** Symmetric models (all-MiniLM, gte, bge-m3): no prompt. */
  none: { query: '', document: '' },
} as const satisfies Record<string, EncoderPrompts>;

export type EncoderPromptPreset = keyof typeof ENCODER_PROMPT_PRESETS;

/** Guesses the preset from a model id or folder name; `none` when nothing matches. */
export function presetForModel(modelId: string): EncoderPromptPreset {
  const id = modelId.toLowerCase();
  if (/(^|[/_-])(multilingual-)?e5-(small|base|large)/.test(id)) return 'e5';
  if (/bge-(small|base|large)-zh/.test(id)) return 'bge-zh';
  if (/bge-(small|base|large)-en|mxbai-embed-large/.test(id)) return 'bge-en';
  if (/nomic-embed-text/.test(id)) return 'nomic';
  return 'none';
}

/**
 * Prompts stored by sentence-transformers ≥ 3 in `config_sentence_transformers.json` (`prompts.query`,
 * `prompts.document` or `prompts.passage`); they take precedence over the name-based presets.
 */
export function promptsFromSentenceTransformersConfig(
  config: JsonObject | undefined,
): Partial<EncoderPrompts> {
  const prompts = config?.prompts;
  if (typeof prompts !== 'object' || prompts === null) return {};
  const p = prompts as Record<string, unknown>;
  const pick = (...keys: string[]) => keys.map((k) => p[k]).find((v): v is string => typeof v === 'string');
  const query = pick('query');
  const document = pick('document', 'passage', 'corpus');
  return { ...(query !== undefined ? { query } : {}), ...(document !== undefined ? { document } : {}) };
}
