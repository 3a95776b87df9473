import { splitSentences } from '../chunking/split-sentences.js';
import { simpleTokenize } from '../text/simple-tokenize.js';
import { type Citation, citationFor, type RetrievedPassage } from './passage.js';

// Question words and function words that would otherwise make every sentence "match".
const STOPWORDS = new Set(
  (
    'a an the and or but if of to in on at by for with from as is are was were be been being do does did ' +
    'what which who whom whose when where why how that this these those it its there their they them he she ' +
    'his her i you your we our my me can could should would will shall may might must about into than then so ' +
    'not no yes any some all much many more most such only also just very tell please explain describe ' +
    '的 是 了 在 和 与 及 吗 呢 么 什 哪 谁 怎 为 有 个 这 那 吧 啊 也 就 都 而 之 其 或 被 把 对 从 它 他 她 们 我 你 请 问 样'
  ).split(' '),
);

export interface ExtractiveAnswer {
  readonly answer: string;
  readonly citations: Citation[];
}

export interface ExtractiveAnswerOptions {
  /** Most sentences in the answer (default 3). */
  readonly maxSentences?: number;
}

const contentTerms = (text: string) => simpleTokenize(text).filter((t) => !STOPWORDS.has(t));

/**
 * Answers without a language model: picks the sentences of the retrieved passages that share the
 * most (IDF-weighted) terms with the question, keeps them in reading order, and cites each with the
 * number of its passage. The citation offsets point at the quoted sentence in the source document.
 */
export function extractiveAnswer(
  question: string,
  passages: readonly RetrievedPassage[],
  options: ExtractiveAnswerOptions = {},
): ExtractiveAnswer {
  const maxSentences = options.maxSentences ?? 3;
  const query = new Set(contentTerms(question));
  const candidates = passages.flatMap((passage, p) =>
    splitSentences(passage.text).map((span, position) => ({
      passage: p,
      position,
      text: passage.text.slice(span.start, span.end),
      span,
      terms: new Set(contentTerms(passage.text.slice(span.start, span.end))),
    })),
  );
  const df = new Map<string, number>();
  for (const c of candidates) for (const t of c.terms) if (query.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const scored = candidates
    .map((c) => {
      let overlap = 0;
      for (const t of c.terms) if (query.has(t)) overlap += Math.log(1 + candidates.length / df.get(t)!);
      // Prefer focused sentences and better-ranked passages.
      const score = overlap / Math.sqrt(1 + c.terms.size / 8) + 0.01 / (1 + c.passage);
      return { ...c, overlap, score };
    })
    // Headings label passages; they do not answer anything.
    .filter((c) => c.overlap > 0 && !/^#{1,6}\s/.test(c.text))
    .sort((a, b) => b.score - a.score)
    .slice(0, maxSentences)
    .sort((a, b) => a.passage - b.passage || a.position - b.position);

  const citations: Citation[] = [];
  const parts = scored.map((c) => {
    const passage = passages[c.passage]!;
    const base = citationFor(c.passage + 1, passage);
    const offset = passage.start;
    citations.push({
      ...base,
      text: c.text,
      start: offset === undefined ? undefined : offset + c.span.start,
      end: offset === undefined ? undefined : offset + c.span.end,
    });
    return `${c.text} [${c.passage + 1}]`;
  });
  return { answer: parts.join(' '), citations };
}
