import { RagloomError } from '@ragloom/core';
import type { JsonObject, ModelTokenizer } from '@ragloom/onnx-model';

/** What generation_config.json (falling back to config.json and the tokenizer) says about how to generate. */
export interface GenerationDefaults {
  /** Token ids that end generation. */
  readonly eosTokenIds: ReadonlySet<number>;
  readonly maxNewTokens: number | undefined;
  /** `max_length` counts prompt + output, as in transformers. */
  readonly maxLength: number | undefined;
  readonly doSample: boolean;
  readonly temperature: number | undefined;
  readonly topK: number | undefined;
  readonly topP: number | undefined;
  readonly minP: number | undefined;
  readonly repetitionPenalty: number | undefined;
}

const idList = (value: unknown): number[] | undefined => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
    return value as number[];
  }
  return undefined;
};

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * Reads the EOS ids (generation_config.json, else config.json, else the tokenizer's `eos_token`) and sampling
 * defaults. A model with no EOS at all is still usable: it stops at maxTokens or the context limit.
 */
export function readGenerationDefaults(
  generationConfig: JsonObject | undefined,
  config: JsonObject,
  tokenizer: ModelTokenizer,
  tokenizerConfig: JsonObject,
): GenerationDefaults {
  const gen = generationConfig ?? {};
  let eos = idList(gen.eos_token_id) ?? idList(config.eos_token_id);
  if (eos === undefined) {
    const eosToken = tokenizerConfig.eos_token;
    const text =
      typeof eosToken === 'string' ? eosToken : (eosToken as { content?: unknown } | undefined)?.content;
    const id = typeof text === 'string' ? tokenizer.tokenToId(text) : undefined;
    if (id !== undefined) eos = [id];
  }
  if (gen.eos_token_id !== undefined && gen.eos_token_id !== null && idList(gen.eos_token_id) === undefined) {
    throw new RagloomError(
      'MODEL_INVALID',
      `generation_config.json: eos_token_id must be an id or a list of ids, got ${JSON.stringify(gen.eos_token_id)}`,
      {
        details: { file: 'generation_config.json', field: 'eos_token_id' },
      },
    );
  }
  const positiveInt = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
  return {
    eosTokenIds: new Set(eos ?? []),
    maxNewTokens: positiveInt(gen.max_new_tokens),
    maxLength: positiveInt(gen.max_length),
    doSample: gen.do_sample === true,
    temperature: num(gen.temperature),
    topK: num(gen.top_k),
    topP: num(gen.top_p),
    minP: num(gen.min_p),
    repetitionPenalty: num(gen.repetition_penalty),
  };
}
