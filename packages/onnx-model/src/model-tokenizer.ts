import { Tokenizer } from '@huggingface/tokenizers';
import { RagloomError } from '@ragloom/core';
import { type JsonObject, positiveIntField } from './model-config.js';

export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';

export interface TokenizeOptions {
  /** A second text (cross-encoders: query, passage). */
  readonly pair?: string;
  /** Add [CLS]/[SEP] (or the model's equivalent). Default true. */
  readonly addSpecialTokens?: boolean;
  /** Cut to at most this many tokens, special tokens included. Default: no limit. */
  readonly maxLength?: number;
  /** Which text gives up tokens when a pair is too long. Default `longest_first`, as in HF tokenizers. */
  readonly truncation?: TruncationStrategy;
}

export interface TokenizedText {
  readonly ids: number[];
  readonly tokenTypeIds: number[];
  /** Whether tokens were cut to fit `maxLength`. */
  readonly truncated: boolean;
}

/** A Hugging Face `tokenizer.json` tokenizer with truncation that keeps the special tokens (as HF Python does). */
export interface ModelTokenizer {
  /** The underlying `@huggingface/tokenizers` instance, for anything not wrapped here. */
  readonly tokenizer: Tokenizer;
  /** `model_max_length` from tokenizer_config.json, if it sets a real limit. */
  readonly modelMaxLength: number | undefined;
  readonly padTokenId: number;
  /** Special tokens added around a single text / a pair ([CLS] x [SEP] → 2, [CLS] a [SEP] b [SEP] → 3). */
  readonly specialTokensSingle: number;
  readonly specialTokensPair: number;
  encode(text: string, options?: TokenizeOptions): TokenizedText;
  decode(ids: readonly number[], options?: { readonly skipSpecialTokens?: boolean }): string;
  tokenToId(token: string): number | undefined;
}

function tokenContent(token: unknown): string | undefined {
  if (typeof token === 'string') return token;
  if (
    typeof token === 'object' &&
    token !== null &&
    typeof (token as { content?: unknown }).content === 'string'
  ) {
    return (token as { content: string }).content;
  }
  return undefined;
}

/** Pair truncation as in HF (Rust) tokenizers: `longest_first` shortens the longer text, then splits evenly. */
function truncatePair(
  a: string[],
  b: string[],
  budget: number,
  strategy: TruncationStrategy,
): [string[], string[]] {
  const excess = a.length + b.length - budget;
  if (excess <= 0) return [a, b];
  if (strategy === 'only_first') return [a.slice(0, Math.max(0, a.length - excess)), b];
  if (strategy === 'only_second') return [a, b.slice(0, Math.max(0, b.length - excess))];
  const swap = a.length > b.length;
  let n1 = Math.min(a.length, b.length);
  let n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
  if (n1 + n2 > budget) {
    n1 = Math.floor(budget / 2);
    n2 = n1 + (budget % 2);
  }
  const [la, lb] = swap ? [n2, n1] : [n1, n2];
  return [a.slice(0, la), b.slice(0, lb)];
}

const CUT_MARGIN_TOKENS = 16;

/**
 * Tokens of `text`, but for a text far longer than `cap` tokens only of a prefix cut at whitespace that still
 * yields more than `cap` tokens: a 100k-character input costs what a few thousand characters cost. Pre-tokenizers
 * split at whitespace, so the tokens of the kept prefix equal those of the full text; the margin absorbs the rest.
 */
function tokenizeCapped(tokenizer: Tokenizer, text: string, cap: number | undefined): string[] {
  const full = () => tokenizer.tokenize(text, { add_special_tokens: false });
  if (cap === undefined || text.length <= cap * 8) return full();
  let end = cap * 6;
  for (;;) {
    if (end >= text.length) return full();
    let cut = end;
    const floor = Math.max(0, end - 200);
    while (cut > floor && !/\s/.test(text[cut]!)) cut--;
    if (cut === floor) cut = end;
    // never split a surrogate pair
    if (/[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut--;
    const tokens = tokenizer.tokenize(text.slice(0, cut), { add_special_tokens: false });
    if (tokens.length > cap) return tokens;
    end *= 2;
  }
}

/** Builds a tokenizer from parsed `tokenizer.json` and `tokenizer_config.json`. Bad files are `MODEL_INVALID`. */
export function createModelTokenizer(
  tokenizerJson: JsonObject,
  tokenizerConfig: JsonObject,
  where = 'tokenizer.json',
): ModelTokenizer {
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  } catch (error) {
    throw new RagloomError(
      'MODEL_INVALID',
      `cannot build a tokenizer from ${where}: ${(error as Error).message}`,
      {
        cause: error,
        details: { file: where },
      },
    );
  }
  const addedIds = new Map<string, number>();
  for (const [id, added] of tokenizer.get_added_tokens_decoder()) addedIds.set(added.content, id);
  const unkId = tokenizer.model?.unk_token_id;
  const toId = (token: string): number => addedIds.get(token) ?? tokenizer.token_to_id(token) ?? unkId ?? 0;
  const padToken = tokenContent(tokenizerConfig.pad_token);
  const padTokenId =
    (padToken !== undefined ? (addedIds.get(padToken) ?? tokenizer.token_to_id(padToken)) : 0) ?? 0;

  const postProcess = (
    a: string[],
    b: string[] | null,
    addSpecial: boolean,
  ): { tokens: string[]; types: number[] } => {
    const processor = tokenizer.post_processor;
    if (!processor) {
      const tokens = b ? [...a, ...b] : a;
      return { tokens, types: [...a.map(() => 0), ...(b ?? []).map(() => 1)] };
    }
    const out = processor(a, b, addSpecial) as { tokens: string[]; token_type_ids?: number[] };
    return {
      tokens: out.tokens,
      types: out.token_type_ids ?? out.tokens.map(() => 0),
    };
  };
  const specialTokensSingle = postProcess([], null, true).tokens.length;
  const specialTokensPair = postProcess([], [], true).tokens.length;
  // Where the text sits among the special tokens of a single sequence ([CLS] x [SEP] → 1 before, 1 after).
  const probe = '\u0000ragloom-probe';
  const probed = postProcess([probe], null, true).tokens;
  const singlePrefix = Math.max(0, probed.indexOf(probe));
  const singleSuffix = Math.max(0, probed.length - singlePrefix - 1);

  return {
    tokenizer,
    modelMaxLength: positiveIntField(tokenizerConfig, 'model_max_length'),
    padTokenId,
    specialTokensSingle,
    specialTokensPair,
    encode(text, options = {}) {
      const addSpecial = options.addSpecialTokens ?? true;
      const max = options.maxLength;
      const cap = max === undefined ? undefined : max + CUT_MARGIN_TOKENS;
      if (options.pair === undefined && (cap === undefined || text.length <= cap * 8)) {
        // Common case, one pass through the library: encode, then cut the middle if it is too long.
        const encoded = tokenizer.encode(text, {
          add_special_tokens: addSpecial,
          return_token_type_ids: true,
        });
        let ids = encoded.ids;
        let types = encoded.token_type_ids ?? ids.map(() => 0);
        if (max === undefined || ids.length <= max) return { ids, tokenTypeIds: types, truncated: false };
        const before = addSpecial ? singlePrefix : 0;
        const after = addSpecial ? singleSuffix : 0;
        const keep = before + Math.max(0, max - before - after);
        ids = [...ids.slice(0, keep), ...ids.slice(ids.length - after)];
        types = [...types.slice(0, keep), ...types.slice(types.length - after)];
        return { ids, tokenTypeIds: types, truncated: true };
      }
      let a = tokenizeCapped(tokenizer, text, cap);
      let b = options.pair === undefined ? null : tokenizeCapped(tokenizer, options.pair, cap);
      let truncated = false;
      if (max !== undefined) {
        const specials = addSpecial ? (b ? specialTokensPair : specialTokensSingle) : 0;
        const budget = Math.max(0, max - specials);
        if (a.length + (b?.length ?? 0) > budget) {
          truncated = true;
          if (b) [a, b] = truncatePair(a, b, budget, options.truncation ?? 'longest_first');
          else a = a.slice(0, budget);
        }
      }
      const { tokens, types } = postProcess(a, b, addSpecial);
      return { ids: tokens.map(toId), tokenTypeIds: types, truncated };
    },
    decode(ids, options = {}) {
      if (ids.length === 0) return '';
      return tokenizer.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
    },
    tokenToId(token) {
      return addedIds.get(token) ?? tokenizer.token_to_id(token);
    },
  };
}
