import { readFileSync } from 'node:fs';
import { assetPath } from '@ragloom/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadQaPredictions, loadSquadDataset } from '../src/datasets/squad-loader.js';
import {
  cmrcExactMatch,
  cmrcF1,
  cmrcMixedSegmentation,
  evaluateCmrc2018,
  longestCommonSubstringLength,
} from '../src/qa/cmrc-metrics.js';
import { nltkWordTokenize, punktSentences } from '../src/qa/nltk-word-tokenize.js';
import { PUNKT_ENGLISH_LOWERCASE } from '../src/qa/punkt-english-parameters.js';
import type { QaExample } from '../src/qa/qa-types.js';

const reference = (name: string) => assetPath('eval-reference', 'cmrc', name);

describe('CMRC 2018 against the official cmrc2018_evaluate.py', () => {
  let examples: QaExample[];
  let predictions: Map<string, string>;
  const expected = JSON.parse(readFileSync(reference('cmrc2018_expected.json'), 'utf8'));
  const perQuestion: Record<string, { em: number; f1: number; missing?: boolean }> = JSON.parse(
    readFileSync(reference('cmrc2018_dev_per_question.json'), 'utf8'),
  );

  beforeAll(async () => {
    examples = await loadSquadDataset(assetPath('data', 'cmrc2018', 'cmrc2018_dev.squad.json'));
    predictions = await loadQaPredictions(reference('cmrc2018_dev_predictions.json'));
  });

  it('reproduces EM, F1, AVERAGE, TOTAL and SKIP', () => {
    const result = evaluateCmrc2018(examples, predictions);
    const full = expected.full_precision_from_official_functions;
    expect(result.f1).toBeCloseTo(full.F1, 9);
    expect(result.em).toBeCloseTo(full.EM, 9);
    expect(result.average).toBeCloseTo(full.AVERAGE, 9);
    expect(result.total).toBe(full.TOTAL);
    expect(result.skipped).toBe(full.SKIP);
    const printed = expected.v6_py3.output;
    expect(result.f1.toFixed(3)).toBe(printed.F1);
    expect(result.em.toFixed(3)).toBe(printed.EM);
    expect(result.average.toFixed(3)).toBe(printed.AVERAGE);
  });

  it('reproduces every per-question EM and F1', () => {
    const result = evaluateCmrc2018(examples, predictions);
    const mismatches: string[] = [];
    for (const [id, want] of Object.entries(perQuestion)) {
      const got = result.perQuestion[id];
      if (
        !got ||
        got.em !== want.em ||
        Math.abs(got.f1 - want.f1) > 1e-12 ||
        got.missing !== !!want.missing
      ) {
        mismatches.push(
          `${id}: got ${JSON.stringify(got)} want ${JSON.stringify(want)} pred ${JSON.stringify(predictions.get(id))}`,
        );
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(Object.keys(perQuestion)).toHaveLength(3219);
  });
});

describe('CMRC 2018 segmentation and scores, hand-computed', () => {
  it('segments Chinese per character and English with nltk.word_tokenize (Punkt + Treebank)', () => {
    expect(cmrcMixedSegmentation('北京是China的首都')).toEqual(['北', '京', '是', 'china', '的', '首', '都']);
    // two sentences for Punkt: the first period is split off as its own token
    expect(cmrcMixedSegmentation('五位 - the end. The Start', true)).toEqual([
      '五',
      '位',
      'the',
      'end',
      '.',
      'the',
      'start',
    ]);
    // "inc" is an English abbreviation: no sentence break, the period stays on the token
    expect(cmrcMixedSegmentation('西城男孩 Inc. Ltd', true)).toEqual(['西', '城', '男', '孩', 'inc.', 'ltd']);
    // Treebank: contractions, final period, parentheses, commas before non-digits
    expect(cmrcMixedSegmentation("they don't (really), 3,000.")).toEqual([
      'they',
      'do',
      "n't",
      '(',
      'really',
      ')',
      ',',
      '3,000',
      '.',
    ]);
    expect(cmrcMixedSegmentation('“引号”', true)).toEqual(['引', '号']);
  });

  it('computes LCS-based F1 and punctuation-insensitive EM', () => {
    expect(longestCommonSubstringLength(['a', 'b', 'c', 'd'], ['x', 'b', 'c', 'y', 'd'])).toBe(2);
    // gold 天命六年 (4), prediction 天命六年秋 (5): LCS 4, P = 4/5, R = 1, F1 = 8/9
    expect(cmrcF1(['天命六年'], '天命六年秋')).toBeCloseTo(8 / 9, 15);
    expect(cmrcExactMatch(['《红楼梦》'], '红楼梦')).toBe(1);
    expect(cmrcExactMatch(['红楼梦'], '红楼梦.')).toBe(0); // ASCII "." is not in CMRC's list
    expect(cmrcF1(['abc'], '')).toBe(0);
  });
});

describe('nltk.word_tokenize port against the real NLTK', () => {
  it('gives the tokens and sentences NLTK 3.8 gives on 400 generated texts', () => {
    // Made by test/fixtures/make-nltk-cases.py with python3-nltk and the same Punkt parameters.
    const cases: [string, string[], string[]][] = JSON.parse(
      readFileSync(new URL('./fixtures/nltk-word-tokenize-cases.json', import.meta.url), 'utf8'),
    );
    expect(cases).toHaveLength(400);
    const mismatches = cases.filter(([text, tokens, sentences]) => {
      const gotSentences = punktSentences(text, PUNKT_ENGLISH_LOWERCASE);
      const gotTokens = nltkWordTokenize(text, PUNKT_ENGLISH_LOWERCASE);
      return (
        JSON.stringify(gotSentences) !== JSON.stringify(sentences) ||
        JSON.stringify(gotTokens) !== JSON.stringify(tokens)
      );
    });
    expect(mismatches).toEqual([]);
    // sanity: the cases do exercise sentence splitting and abbreviations
    expect(cases.filter(([, , sentences]) => sentences.length > 1).length).toBeGreaterThan(100);
  });

  it('ships the 156 abbreviation types of the English Punkt model', () => {
    expect(PUNKT_ENGLISH_LOWERCASE.abbreviationTypes.size).toBe(156);
    for (const abbreviation of ['dr', 'inc', 'u.s.a', 'ph.d', 'messrs', '. . ']) {
      expect(PUNKT_ENGLISH_LOWERCASE.abbreviationTypes.has(abbreviation), abbreviation).toBe(true);
    }
    expect(PUNKT_ENGLISH_LOWERCASE.collocations.has('j\twalter')).toBe(true);
  });
});
