import { readFileSync } from 'node:fs';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { forEachWord } from '../src/word-tokenizer.js';

// The peer: ICU's UAX #29 word boundaries through Intl.Segmenter (what Lucene's StandardTokenizer implements).
const segmenter = new Intl.Segmenter('en', { granularity: 'word' });
const icuWords = (text: string) =>
  [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);

/** Our words, with dictionary-script runs split by the same segmenter (as the analyzers do). */
function ourWords(text: string): string[] {
  const words: string[] = [];
  forEachWord(
    text,
    (word) => words.push(word),
    (run) => words.push(...icuWords(run)),
  );
  return words;
}

const readJsonLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { title?: string; text: string });

describe('word tokenizer (UAX #29)', () => {
  it.each([
    [
      "John's U.S.A. e.g. 3.5 million can't IL-6 TNF-α co-operate 1990s",
      'possessives, abbreviations, numbers',
    ],
    [
      "a:b a.b a,b 1,2 1.2.3 1;2 a'b' 'quoted' rock’n’roll __init__ _x x_ _ 3a b4 a.1 1.a",
      'mid-word punctuation',
    ],
    [
      'naïve café résumé ǅ ﬁne ｆｕｌｌ　ｗｉｄｔｈ １２３ Straße ΑΒΓ Россия 서울특별시',
      'accents, scripts, widths',
    ],
    ['emoji 👍🏽 👨‍👩‍👧 #hashtag @user x@y.com C++ 50% $100 3×4 x² ½', 'symbols'],
    ['soft\u00ADhyphen zero\u200Bwidth join\u200Der tab\tnew\nline\r\nend', 'format characters and spaces'],
    ['٣٤٥ العربية עברית हिन्दी', 'RTL and Indic scripts'],
    ['iPhone手机 中文English混合 カタカナーテスト ﾃｽﾄ ひらがな 東京タワー ไทยภาษา', 'dictionary scripts'],
    ['', 'empty text'],
  ])('matches Intl.Segmenter on %j (%s)', (text) => {
    expect(ourWords(text)).toEqual(icuWords(text));
  });

  it('matches Intl.Segmenter on SciFact documents (every third one, to keep the run short)', () => {
    const corpus = readJsonLines(assetPath('data', 'scifact', 'corpus.jsonl')).filter((_, i) => i % 3 === 0);
    const mismatches: string[] = [];
    for (const d of corpus) {
      const text = `${d.title ?? ''}\n${d.text}`;
      if (ourWords(text).join('\u0001') !== icuWords(text).join('\u0001')) mismatches.push(text.slice(0, 80));
    }
    expect(corpus.length).toBeGreaterThan(1700);
    expect(mismatches).toEqual([]);
  });

  it('matches Intl.Segmenter on SQuAD paragraphs and CMRC2018 (Chinese) paragraphs', () => {
    const squad = JSON.parse(
      readFileSync(assetPath('data', 'squad2-dev-half', 'dev-v2.0-cs224n-dev.json'), 'utf8'),
    ) as { data: { paragraphs: { context: string }[] }[] };
    const texts = squad.data.flatMap((a) => a.paragraphs.map((p) => p.context));
    texts.push(
      ...readJsonLines(assetPath('data', 'cmrc2018', 'beir-dev-derived', 'corpus.jsonl'))
        .slice(0, 200)
        .map((d) => d.text),
    );
    const mismatches = texts.filter((t) => ourWords(t).join('\u0001') !== icuWords(t).join('\u0001'));
    expect(texts.length).toBe(846);
    expect(mismatches).toEqual([]);
  });
});
