import type { ModelTokenizer, TokenizedText } from '@ragloom/onnx-model';

/**
 * `[CLS] query [SEP] passage [SEP]` with segment ids 0…0 1…1. A pair longer than `maxLength` loses
 * passage tokens first (the query says what to look for); only a query that alone overflows is cut too.
 */
export function encodePair(
  tokenizer: ModelTokenizer,
  query: string,
  passage: string,
  maxLength: number,
): TokenizedText {
  const passageFirst = tokenizer.encode(query, { pair: passage, maxLength, truncation: 'only_second' });
  if (passageFirst.ids.length <= maxLength) return passageFirst;
  return tokenizer.encode(query, { pair: passage, maxLength, truncation: 'longest_first' });
}
