import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { loadModelTokenizer, openModelSource } from '../src/index.js';

const texts = [
  'the cat sat on the mat',
  'Retrieval-augmented generation, in 2024!',
  '检索增强生成是一种结合检索与生成的方法。',
  'emoji 🚀🔥 and ünïcödé',
  '',
  '   ',
];

describe('model tokenizer (@huggingface/tokenizers)', () => {
  it('encodes exactly as the library does when nothing is truncated', async () => {
    const tokenizer = await loadModelTokenizer(openModelSource(assetPath('models', 'tiny-random-bert')));
    for (const text of texts) {
      const ours = tokenizer.encode(text);
      const theirs = tokenizer.tokenizer.encode(text, { return_token_type_ids: true });
      expect(ours.ids).toEqual(theirs.ids);
      expect(ours.tokenTypeIds).toEqual(theirs.token_type_ids);
      expect(ours.truncated).toBe(false);
    }
    const pair = tokenizer.encode('a question', { pair: '检索增强生成' });
    const theirs = tokenizer.tokenizer.encode('a question', {
      text_pair: '检索增强生成',
      return_token_type_ids: true,
    });
    expect(pair.ids).toEqual(theirs.ids);
    expect(pair.tokenTypeIds).toEqual(theirs.token_type_ids);
    expect(tokenizer.specialTokensSingle).toBe(2);
    expect(tokenizer.specialTokensPair).toBe(3);
    expect(tokenizer.padTokenId).toBe(0);
    expect(tokenizer.modelMaxLength).toBe(512);
  });

  it('truncates keeping [CLS] and [SEP], and longest-first for pairs', async () => {
    const tokenizer = await loadModelTokenizer(openModelSource(assetPath('models', 'tiny-random-bert')));
    const cls = tokenizer.tokenToId('[CLS]');
    const sep = tokenizer.tokenToId('[SEP]');
    const long = 'word '.repeat(20_000);
    const single = tokenizer.encode(long, { maxLength: 16 });
    expect(single.ids).toHaveLength(16);
    expect(single.ids[0]).toBe(cls);
    expect(single.ids.at(-1)).toBe(sep);
    expect(single.truncated).toBe(true);

    const pair = tokenizer.encode('one two three four five six', { pair: long, maxLength: 12 });
    expect(pair.ids).toHaveLength(12);
    // longest_first takes from the long passage until both are equally long: 4 + 5 content tokens + 3 specials
    expect(pair.tokenTypeIds.filter((t) => t === 0)).toHaveLength(1 + 4 + 1);
    expect(pair.ids.filter((id) => id === sep)).toHaveLength(2);
    const onlySecond = tokenizer.encode('one two three four five six', {
      pair: long,
      maxLength: 12,
      truncation: 'only_second',
    });
    expect(onlySecond.tokenTypeIds.filter((t) => t === 0)).toHaveLength(8);
    expect(tokenizer.decode(single.ids, { skipSpecialTokens: true })).toBe(Array(14).fill('word').join(' '));
  });

  it('truncating a very long text gives the same tokens as tokenizing all of it', async () => {
    const tokenizer = await loadModelTokenizer(openModelSource(assetPath('models', 'tiny-random-bert')));
    const texts = [
      'Retrieval-augmented generation grounds answers in documents. '.repeat(2000),
      '检索增强生成把检索到的文档交给语言模型，'.repeat(5000),
      `${'x'.repeat(300)} supercalifragilistic antidisestablishmentarianism 🚀 `.repeat(500),
    ];
    // a text short in characters but long in tokens (one per CJK character) takes the one-pass path
    texts.push('检索增强生成'.repeat(150));
    for (const text of texts) {
      const full = tokenizer.tokenizer.encode(text).ids;
      for (const maxLength of [8, 128, 512]) {
        const expected = [...full.slice(0, maxLength - 1), full.at(-1)!];
        expect(tokenizer.encode(text, { maxLength }).ids).toEqual(expected);
      }
    }
  });
});
