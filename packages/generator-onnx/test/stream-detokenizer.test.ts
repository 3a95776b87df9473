import { loadModelTokenizer, type ModelTokenizer, openModelSource } from '@ragloom/onnx-model';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStreamDetokenizer } from '../src/index.js';
import { smolLmTokenizerDir, storiesDir } from './support/stories.js';

const TEXTS = [
  '你好，世界！今天天气很好。',
  'Emoji: 🙂👩‍💻🇨🇳 and 👍🏽 done',
  'café naïve — 日本語のテスト 한국어 ✓',
  'Once upon a time,  two  spaces\nand a new line.',
  '混合 mixed 文本 text 🙂.',
];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function streamAll(tokenizer: ModelTokenizer, ids: number[], context: number[] = []) {
  const decode = (x: readonly number[]) => tokenizer.decode(x, { skipSpecialTokens: true });
  const detokenizer = createStreamDetokenizer(decode, context);
  const deltas = ids.map((id) => detokenizer.push(id));
  deltas.push(detokenizer.flush());
  return deltas;
}

describe.each([
  ['stories260k (SentencePiece BPE with byte fallback)', storiesDir],
  ['SmolLM-360M-Instruct (byte-level BPE)', smolLmTokenizerDir],
])('streaming detokenizer: %s', (_name, dir) => {
  let tokenizer: ModelTokenizer;
  beforeAll(async () => {
    tokenizer = await loadModelTokenizer(openModelSource(dir()));
  });

  it('never emits a broken character, and the deltas add up to the full decode', () => {
    let partialTokens = 0;
    for (const text of TEXTS) {
      const ids = tokenizer.encode(text, { addSpecialTokens: false }).ids;
      // The test means something only if single tokens hold partial characters.
      partialTokens += ids.filter((id) => tokenizer.decode([id]).includes('\uFFFD')).length;
      const deltas = streamAll(tokenizer, ids);
      for (const delta of deltas) {
        expect(delta.includes('\uFFFD'), `delta ${JSON.stringify(delta)} of ${text}`).toBe(false);
        expect(LONE_SURROGATE.test(delta), `delta ${JSON.stringify(delta)} splits a surrogate pair`).toBe(
          false,
        );
      }
      expect(deltas.join('')).toBe(tokenizer.decode(ids, { skipSpecialTokens: true }));
      expect(deltas.join('')).toContain(text.trim().slice(-3));
    }
    expect(partialTokens).toBeGreaterThan(10);
  });

  it('continues a prompt with the spacing a full decode gives', () => {
    const prompt = tokenizer.encode('Once upon a time,', { addSpecialTokens: true }).ids;
    const reply = tokenizer.encode(' 她说：你好 🙂 there', { addSpecialTokens: false }).ids;
    const deltas = streamAll(tokenizer, reply, prompt);
    const full = tokenizer.decode([...prompt, ...reply], { skipSpecialTokens: true });
    const head = tokenizer.decode(prompt, { skipSpecialTokens: true });
    expect(head + deltas.join('')).toBe(full);
  });

  it('releases an incomplete byte sequence at the end as U+FFFD, like a full decode', () => {
    const ids = tokenizer.encode('好', { addSpecialTokens: false }).ids;
    if (ids.length < 2) return; // a tokenizer with 好 as one token has nothing to test here
    const cut = ids.slice(0, -1);
    const deltas = streamAll(tokenizer, cut);
    expect(deltas.slice(0, -1).join('')).not.toContain('\uFFFD');
    expect(deltas.join('')).toBe(tokenizer.decode(cut, { skipSpecialTokens: true }));
  });
});
