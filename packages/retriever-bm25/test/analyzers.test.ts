import { isRagloomError } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import {
  createAnalyzer,
  createAutoAnalyzer,
  createCjkAnalyzer,
  createEnglishAnalyzer,
  createStandardAnalyzer,
  createWhitespaceAnalyzer,
  ENGLISH_STOP_WORDS,
} from '../src/index.js';

describe('english analyzer (Lucene EnglishAnalyzer behaviour)', () => {
  const english = createEnglishAnalyzer();

  // The cases of Lucene's TestEnglishAnalyzer.
  it('stems, drops stop words and possessives as Lucene does', () => {
    expect(english.analyze('books')).toEqual(['book']);
    expect(english.analyze('book')).toEqual(['book']);
    expect(english.analyze('the')).toEqual([]);
    expect(english.analyze("steven's")).toEqual(['steven']);
    expect(english.analyze('steven\u2019s')).toEqual(['steven']);
    expect(english.analyze('steven\uFF07s')).toEqual(['steven']);
  });

  it('applies Porter stemming (Porter 1980, not Porter2)', () => {
    expect(english.analyze('caresses ponies relational conditional generalization hopefully')).toEqual([
      'caress',
      'poni',
      'relat',
      'condit',
      'gener',
      'hopefulli',
    ]);
  });

  it('lowercases, keeps numbers and inner punctuation, removes the 33 Lucene stop words', () => {
    expect(english.analyze('The U.S.A. has 10,000 of 3.5-mm IL-6 receptors in it')).toEqual([
      'u.s.a',
      'ha',
      '10,000',
      '3.5',
      'mm',
      'il',
      '6',
      'receptor',
    ]);
    expect(ENGLISH_STOP_WORDS).toHaveLength(33);
    for (const word of ENGLISH_STOP_WORDS) expect(english.analyze(word.toUpperCase())).toEqual([]);
  });

  it('splits tokens longer than 255 characters as Lucene StandardTokenizer does', () => {
    const terms = createEnglishAnalyzer({ stem: false }).analyze('x'.repeat(600));
    expect(terms.map((t) => t.length)).toEqual([255, 255, 90]);
  });

  it('segments Chinese inside English text instead of dropping it', () => {
    expect(english.analyze('Running in 北京 today')).toEqual(['run', '北京', 'todai']);
  });

  it('has a stable id that changes with its settings', () => {
    expect(english.id).toBe('english-v1');
    expect(createEnglishAnalyzer().id).toBe(english.id);
    expect(createEnglishAnalyzer({ stem: false }).id).toBe('english-v1(stem=false)');
    expect(createEnglishAnalyzer({ stopwords: [] }).id).toBe('english-v1(stopwords=none)');
    const custom = createEnglishAnalyzer({ stopwords: ['foo', 'bar'] });
    expect(custom.id).toMatch(/^english-v1\(stopwords=[0-9a-f]{8}\)$/);
    expect(createEnglishAnalyzer({ stopwords: ['BAR', 'foo'] }).id).toBe(custom.id);
    expect(custom.analyze('foo the bar baz')).toEqual(['the', 'baz']);
  });

  it('rebuilds from its stored config with the same id', () => {
    for (const analyzer of [english, createEnglishAnalyzer({ stem: false, stopwords: ['x'] })]) {
      expect(createAnalyzer(analyzer.config!).id).toBe(analyzer.id);
    }
  });
});

describe('cjk analyzer', () => {
  const cjk = createCjkAnalyzer();

  it('segments Chinese into dictionary words', () => {
    const terms = cjk.analyze('《战国无双3》是由哪两个公司合作开发的？');
    expect(terms).toEqual(expect.arrayContaining(['战国', '公司', '合作', '开发']));
    expect(terms).not.toContain('？');
  });

  it('falls back to character bigrams where the dictionary only finds single characters', () => {
    const words = createCjkAnalyzer({ bigrams: 'never' }).analyze('战国无双');
    // ICU knows 战国 but not 无双: the words-only mode gives single characters...
    expect(words).toEqual(['战国', '无', '双']);
    // ...and the default turns such a run into bigrams, so "无双" is matched as a unit.
    expect(cjk.analyze('战国无双')).toEqual(['战国', '无双']);
  });

  it('makes overlapping bigrams only, in "always" mode (Lucene CJKAnalyzer)', () => {
    expect(createCjkAnalyzer({ bigrams: 'always' }).analyze('中华人民共和国')).toEqual([
      '中华',
      '华人',
      '人民',
      '民共',
      '共和',
      '和国',
    ]);
    expect(createCjkAnalyzer({ bigrams: 'always' }).analyze('国')).toEqual(['国']);
  });

  it('folds widths (NFKC) and case, keeps Latin words whole, drops English stop words', () => {
    expect(cjk.analyze('ＡＢＣ公司的 Running the iPhone')).toEqual(
      expect.arrayContaining(['abc', '公司', 'running', 'iphone']),
    );
    expect(cjk.analyze('the')).toEqual([]);
    // Half-width katakana becomes full width.
    expect(cjk.analyze('ﾃｽﾄ').join('')).toBe('テスト');
  });

  it('segments Japanese', () => {
    const ja = createCjkAnalyzer({ locale: 'ja' });
    expect(ja.id).toBe('cjk-v1(locale=ja)');
    expect(ja.analyze('東京都に住んでいます')).toEqual(expect.arrayContaining(['東京']));
  });

  it('rejects an invalid locale or bigram mode with a clear error', () => {
    expect(() => createCjkAnalyzer({ locale: '!!' })).toThrowError(/invalid locale "!!"/);
    expect(() => createCjkAnalyzer({ bigrams: 'sometimes' as 'always' })).toThrowError(
      /bigrams must be 'fallback', 'always' or 'never'/,
    );
  });
});

describe('auto analyzer (per-script)', () => {
  it('stems English words and segments Chinese in the same text', () => {
    const auto = createAutoAnalyzer();
    const terms = auto.analyze('Apple computers 在北京发布了新产品');
    expect(terms.slice(0, 2)).toEqual(['appl', 'comput']);
    expect(terms).toEqual(expect.arrayContaining(['北京', '发布']));
    // A word gets the same term whatever language surrounds it.
    expect(auto.analyze('computers')).toEqual(['comput']);
  });
});

describe('standard and whitespace analyzers', () => {
  it('standard: UAX #29 words, lowercase, no stemming or stop words by default', () => {
    expect(createStandardAnalyzer().analyze('The Runners’ U.S.A. tour')).toEqual([
      'the',
      'runners',
      'u.s.a',
      'tour',
    ]);
    expect(createStandardAnalyzer({ stopwords: ['the'] }).analyze('The end')).toEqual(['end']);
  });

  it('whitespace: lowercase and split on white space only', () => {
    expect(createWhitespaceAnalyzer().analyze('  Hello, World!\t中文 句子 ')).toEqual([
      'hello,',
      'world!',
      '中文',
      '句子',
    ]);
  });
});

describe('createAnalyzer', () => {
  it('builds every built-in by name', () => {
    for (const name of ['english', 'cjk', 'auto', 'standard', 'whitespace'] as const) {
      expect(createAnalyzer(name).config?.type).toBe(name);
    }
  });

  it('rejects unknown names with INVALID_ARGUMENT', () => {
    let error: unknown;
    try {
      createAnalyzer('klingon' as 'english');
    } catch (e) {
      error = e;
    }
    expect(isRagloomError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/unknown analyzer "klingon"/);
  });
});
