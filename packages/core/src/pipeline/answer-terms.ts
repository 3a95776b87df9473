import { stemmer } from 'stemmer';
import { isCjkChar } from '../text/simple-tokenize.js';

// Question words and function words that would otherwise make every sentence "match".
const STOPWORDS = new Set(
  (
    'a an the and or but if of to in on at by for with from as is are was were be been being do does did done ' +
    'what which who whom whose when where why how that this these those it its there their they them he she ' +
    'his her i you your we our my me can could should would will shall may might must about into than then so ' +
    'not no yes any some all much many more most such only also just very tell please explain describe ' +
    'has have had having one ones thing things type kind name called call known use used using get ' +
    '的 是 了 在 和 与 及 吗 呢 么 什 哪 谁 怎 为 有 个 这 那 吧 啊 也 就 都 而 之 其 或 被 把 对 从 它 他 她 们 我 你 请 问 样'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** A term at a token position, for coverage and proximity. */
export interface PositionedTerm {
  readonly term: string;
  readonly position: number;
}

/**
 * The content terms of a text in order, with token positions: NFKC, lowercase, stop words dropped, Latin
 * words Porter-stemmed (as @ragloom/retriever-bm25's English analyzer does, so "colonial" matches
 * "colonialism"); runs of CJK characters give each character and each adjacent pair (a bigram
 * stands in for a word, without a dictionary). Stop words still advance the position, so proximity is
 * measured in the text's own tokens.
 */
export function positionedTerms(text: string): PositionedTerm[] {
  const out: PositionedTerm[] = [];
  let position = 0;
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    let latin = '';
    let previousCjk: string | undefined;
    const flushLatin = () => {
      if (latin === '') return;
      if (!STOPWORDS.has(latin)) out.push({ term: stemmer(latin), position });
      position++;
      latin = '';
    };
    for (const char of match[0]) {
      if (isCjkChar(char)) {
        flushLatin();
        const stop = STOPWORDS.has(char);
        if (!stop) out.push({ term: char, position });
        if (previousCjk !== undefined && !stop) out.push({ term: previousCjk + char, position });
        previousCjk = stop ? undefined : char;
        position++;
      } else {
        previousCjk = undefined;
        latin += char;
      }
    }
    flushLatin();
  }
  return out;
}

/** CJK bigrams are worth more than single characters, which match almost anything. */
export function termWeight(term: string): number {
  return [...term].length === 1 && isCjkChar(term) ? 0.4 : 1;
}
