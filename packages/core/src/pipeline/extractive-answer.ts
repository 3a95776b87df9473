import { splitSentences } from '../chunking/split-sentences.js';
import type { Span } from '../chunking/text-spans.js';
import { isCjkChar } from '../text/simple-tokenize.js';
import { type PositionedTerm, positionedTerms, termWeight } from './answer-terms.js';
import { expectedAnswerType, holdsAnswerType } from './answer-type.js';
import { type Citation, citationFor, type RetrievedPassage } from './passage.js';
import { asksAboutCode, fencedSpans, type SentenceKind, sentenceKind } from './sentence-kind.js';

export interface ExtractiveAnswer {
  /** The quoted sentences, each followed by its passage's citation marker; '' when declined. */
  readonly answer: string;
  readonly citations: Citation[];
  /**
   * How much of the question the quoted sentences cover, 0–1: each question term counts by its
   * rarity among the retrieved sentences, a term no passage contains counts fully against.
   */
  readonly evidence: number;
  /** True when the evidence is below `minEvidence`: the passages do not answer the question. */
  readonly declined: boolean;
  /** For each citation, the offset in `answer` just after its marker (so a cut answer keeps the right ones). */
  readonly markerEnds: readonly number[];
}

export interface ExtractiveAnswerOptions {
  /** Most sentences in the answer (default 3). */
  readonly maxSentences?: number;
  /**
   * Decline below this evidence (0–1, default 0.2); 0 declines only when no sentence matches at all
   * (the negation check still applies).
   */
  readonly minEvidence?: number;
}

interface Candidate {
  readonly passage: number;
  readonly documentId: string;
  /** The sentence in its passage's text. */
  readonly span: Span;
  /** The sentence in its document, when the passage knows its offsets. */
  readonly absolute?: Span;
  readonly text: string;
  readonly kind: SentenceKind;
  readonly terms: readonly PositionedTerm[];
  readonly termSet: ReadonlySet<string>;
  /** Position in its document's reading order (sentence index within the passage as a fallback). */
  readonly order: number;
  readonly words: number;
}

/** Length in words, a CJK character counting as half a word (Chinese words average about two characters). */
function lengthInWords(text: string): number {
  let cjk = 0;
  for (const char of text) if (isCjkChar(char)) cjk++;
  const latin = text.replace(
    /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu,
    ' ',
  );
  return (latin.match(/[\p{L}\p{N}]+/gu)?.length ?? 0) + cjk / 2;
}

const normalizedText = (text: string) => text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();

function sentencesOf(passages: readonly RetrievedPassage[]): Candidate[] {
  const all: Candidate[] = [];
  passages.forEach((passage, p) => {
    const fences = fencedSpans(passage.text);
    splitSentences(passage.text).forEach((span, i) => {
      const text = passage.text.slice(span.start, span.end);
      const inFence = fences.some((f) => span.start >= f.start && span.end <= f.end);
      const terms = positionedTerms(text);
      all.push({
        passage: p,
        documentId: passage.documentId,
        span,
        absolute:
          passage.start === undefined
            ? undefined
            : { start: passage.start + span.start, end: passage.start + span.end },
        text,
        kind: sentenceKind(text, inFence),
        terms,
        termSet: new Set(terms.map((t) => t.term)),
        order: passage.start === undefined ? p * 1e6 + i : passage.start + span.start,
        words: lengthInWords(text),
      });
    });
  });
  return dedupe(all);
}

/**
 * Overlapping chunks hold the same sentence twice, and a chunk cut mid-sentence holds a piece of one
 * another chunk holds whole. Keeps each sentence once: the first copy (best-ranked passage) of equal
 * text, and the whole sentence over a piece of it in the same document.
 */
function dedupe(candidates: readonly Candidate[]): Candidate[] {
  const seen = new Set<string>();
  const kept: Candidate[] = [];
  for (const c of candidates) {
    const key = normalizedText(c.text);
    if (seen.has(key)) continue;
    const contained = c.absolute
      ? candidates.some(
          (o) =>
            o !== c &&
            o.documentId === c.documentId &&
            o.absolute !== undefined &&
            o.absolute.start <= c.absolute!.start &&
            o.absolute.end >= c.absolute!.end &&
            o.absolute.end - o.absolute.start > c.absolute!.end - c.absolute!.start,
        )
      : false;
    if (contained) continue;
    seen.add(key);
    kept.push(c);
  }
  return kept;
}

/**
 * How tightly the matched terms sit together: the share of token positions holding a match in the
 * shortest window that holds every matched term (1 when they are adjacent, or for a single match).
 */
function matchDensity(terms: readonly PositionedTerm[], matched: ReadonlySet<string>): number {
  if (matched.size === 0) return 0;
  const positions = new Set(terms.filter((t) => matched.has(t.term)).map((t) => t.position));
  return Math.min(1, positions.size / matchWindow(terms, matched));
}

/** The fewest consecutive tokens that hold every matched term once (1 for a single term). */
function matchWindow(terms: readonly PositionedTerm[], matched: ReadonlySet<string>): number {
  const hits = terms.filter((t) => matched.has(t.term));
  if (matched.size <= 1) return 1;
  const counts = new Map<string, number>();
  let best = Number.POSITIVE_INFINITY;
  let left = 0;
  for (let right = 0; right < hits.length; right++) {
    counts.set(hits[right]!.term, (counts.get(hits[right]!.term) ?? 0) + 1);
    while (counts.size === matched.size) {
      best = Math.min(best, hits[right]!.position - hits[left]!.position + 1);
      const term = hits[left]!.term;
      const n = counts.get(term)! - 1;
      if (n === 0) counts.delete(term);
      else counts.set(term, n);
      left++;
    }
  }
  return Number.isFinite(best) ? best : 1;
}

/**
 * What makes a sentence likely to hold the answer, each a number a weight multiplies. Coverages are shares
 * of the question's rarity-weighted terms (see `coverage`).
 */
interface SentenceFeatures {
  /** Coverage by the sentence's terms, rarity among all retrieved sentences. */
  readonly coverage: number;
  /** The same, rarity within the sentence's own document. */
  readonly localCoverage: number;
  /** Coverage by terms of the document's topic the sentence refers back to instead of repeating. */
  readonly topicCoverage: number;
  /** Coverage times how tightly the matched terms sit together. */
  readonly denseCoverage: number;
  /** 1 when it holds the kind of answer asked for (a number, a time), −1 when it lacks it, else 0. */
  readonly answerType: number;
  /** Its passage's retrieval score as a share of the best passage's. */
  readonly passageStanding: number;
  /** 1 / (1 + its passage's rank from 0). */
  readonly passageRank: number;
  /** ln(1 + length in words). */
  readonly logWords: number;
  /** Share of the question's terms it holds, unweighted. */
  readonly matchedShare: number;
  /** Share of the question's adjacent term pairs it holds adjacent too. */
  readonly pairShare: number;
  /** Coverage by the sentence before it in its passage (which often names what this one is about). */
  readonly previousCoverage: number;
  /** 1 for its passage's first sentence. */
  readonly firstInPassage: number;
}

/**
 * The log-odds weights of the features, one set for Latin-script and one for CJK questions, and the
 * price of a word: a sentence beyond the best one is quoted when its chance of holding the answer is at
 * least `pricePerWord` × its length. Fitted (listwise logistic regression over the retrieved sentences,
 * then the price) on data kept apart from what is reported: CMRC 2018 *trial* and SQuAD 2.0 dev-half
 * questions 4001 on (`bench/eval`'s extractive-answers script reports questions 1–4000 and CMRC dev).
 */
const MODELS: Record<'latin' | 'cjk', { weights: SentenceFeatures; pricePerWord: number }> = {
  latin: {
    weights: {
      coverage: 1.484,
      localCoverage: 0.7807,
      topicCoverage: 1.5225,
      denseCoverage: 0.6669,
      answerType: 0.6377,
      passageStanding: 2.394,
      passageRank: 0.7114,
      logWords: 0.1821,
      matchedShare: 2.8508,
      pairShare: 0.5503,
      previousCoverage: 0.8296,
      firstInPassage: 0.1988,
    },
    pricePerWord: 0.007,
  },
  cjk: {
    weights: {
      coverage: 1.4162,
      localCoverage: 8.14,
      topicCoverage: 8.1595,
      denseCoverage: -1.0438,
      answerType: 0.8334,
      passageStanding: 1.0592,
      passageRank: 1.52,
      logWords: 0.0366,
      matchedShare: 2.7023,
      pairShare: -0.7539,
      previousCoverage: -0.111,
      firstInPassage: 1.1172,
    },
    pricePerWord: 0.007,
  },
};

/** Share of a document's rarity taken within the document itself, for terms of its topic. */
const LOCAL_RARITY = 0.8;
/** A version note ("Changed in version 3.4") is about the past: its log-odds drop by this much. */
const VERSION_NOTE_PENALTY = 1.5;
/** Kinds that never answer (code answers only questions about code). */
const NEVER_ANSWERS: ReadonlySet<SentenceKind> = new Set(['heading', 'directive', 'navigation']);

const NEGATION = /\b(not|never|no|none|nor|neither|without|cannot)\b|n't\b/i;

/** The question asks about what is not so ("Who did not…") but the quote says nothing negative. */
function negationMismatch(question: string, quote: string): boolean {
  return NEGATION.test(question) && !NEGATION.test(quote);
}

/** The log-odds of a sentence holding the answer, up to a constant shared by all sentences of a question. */
function logOdds(features: SentenceFeatures, weights: SentenceFeatures, kind: SentenceKind): number {
  let sum = kind === 'version-note' ? -VERSION_NOTE_PENALTY : 0;
  for (const key of Object.keys(weights) as (keyof SentenceFeatures)[]) sum += weights[key] * features[key];
  return sum;
}

/** Chances that sum to 1 over the sentences (a softmax of their log-odds). */
function answerChances(logOddsList: readonly number[]): number[] {
  const top = Math.max(...logOddsList);
  const e = logOddsList.map((s) => Math.exp(s - top));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/** Adjacent term pairs of a text ("default protocol"), for matching the question's phrasing. */
function termPairs(terms: readonly PositionedTerm[]): Set<string> {
  const pairs = new Set<string>();
  for (let i = 1; i < terms.length; i++) pairs.add(`${terms[i - 1]!.term} ${terms[i]!.term}`);
  return pairs;
}

const isCjkQuestion = (question: string) => [...question].filter(isCjkChar).length > question.length / 3;

type Weights = ReadonlyMap<string, number>;

/** Each question term's weight: its rarity among the sentences of a pool (IDF), CJK bigrams above characters. */
function rarityWeights(queryTerms: readonly string[], pool: readonly Candidate[]): Weights {
  const df = new Map<string, number>();
  for (const c of pool) for (const t of queryTerms) if (c.termSet.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  return new Map(
    queryTerms.map((t) => [t, termWeight(t) * Math.log(1 + (pool.length + 1) / ((df.get(t) ?? 0) + 0.5))]),
  );
}

/** The share of the question's total weight that these terms carry. */
function coverage(weights: Weights, terms: Iterable<string>): number {
  let total = 0;
  for (const w of weights.values()) total += w;
  let sum = 0;
  for (const t of terms) sum += weights.get(t) ?? 0;
  return total === 0 ? 0 : sum / total;
}

/**
 * A document's topic: the terms of its title and of its first sentence, which later sentences refer back
 * to ("The species…", "本鱼…", "It…") instead of repeating them.
 */
function topicsOf(passages: readonly RetrievedPassage[], sentences: readonly Candidate[]) {
  const topics = new Map<string, Set<string>>();
  for (const passage of passages) {
    if (topics.has(passage.documentId)) continue;
    const title = typeof passage.metadata.title === 'string' ? passage.metadata.title : '';
    topics.set(passage.documentId, new Set(positionedTerms(title).map((t) => t.term)));
  }
  for (const c of sentences) {
    if (c.absolute?.start === 0) for (const t of c.termSet) topics.get(c.documentId)!.add(t);
  }
  return topics;
}

/**
 * Answers without a language model: quotes the shortest set of sentences of the retrieved passages likely
 * to hold the answer. Each sentence gets the log-odds of holding it (`SentenceFeatures`: how much of the
 * question it covers — each term weighted by its rarity among the retrieved sentences and within its own
 * document, terms of the document's topic counted for every sentence of it —, how close together and in
 * the question's order the matched terms are, whether it holds the kind of answer asked for, how well its
 * passage ranked, what the sentence before it covers); the most likely one is quoted, and another only
 * when its chance is worth its length (`pricePerWord`), so a second source comes in only when it is that
 * likely. Each sentence is quoted once, however many overlapping chunks hold it; code counts only for
 * questions about code; headings, directives and navigation never count, and version notes ("Changed in
 * version 3.4") rank below the text about the present.
 *
 * The answer is declined (`declined: true`, empty answer) rather than guessed when the quote covers less
 * than `minEvidence` of the question, or when the question asks about what is *not* so and the quote
 * says nothing negative.
 */
export function extractiveAnswer(
  question: string,
  passages: readonly RetrievedPassage[],
  options: ExtractiveAnswerOptions = {},
): ExtractiveAnswer {
  const maxSentences = options.maxSentences ?? 3;
  const minEvidence = options.minEvidence ?? 0.2;
  const codeAllowed = asksAboutCode(question);
  const questionTerms = positionedTerms(question);
  const queryTerms = [...new Set(questionTerms.map((t) => t.term))];
  const questionPairs = termPairs(questionTerms);
  const sentences = sentencesOf(passages);
  const candidates = sentences.filter(
    (c) => !NEVER_ANSWERS.has(c.kind) && (c.kind !== 'code' || codeAllowed),
  );
  const empty: ExtractiveAnswer = { answer: '', citations: [], evidence: 0, declined: true, markerEnds: [] };
  if (queryTerms.length === 0 || candidates.length === 0) return empty;
  const model = MODELS[isCjkQuestion(question) ? 'cjk' : 'latin'];

  const weights = rarityWeights(queryTerms, candidates);
  const documentWeights = new Map<string, Weights>();
  for (const id of new Set(candidates.map((c) => c.documentId))) {
    documentWeights.set(
      id,
      rarityWeights(
        queryTerms,
        candidates.filter((c) => c.documentId === id),
      ),
    );
  }
  const blended = (documentId: string, terms: readonly string[]) =>
    (1 - LOCAL_RARITY) * coverage(weights, terms) +
    LOCAL_RARITY * coverage(documentWeights.get(documentId)!, terms);
  const topics = topicsOf(passages, sentences);
  const answerType = expectedAnswerType(question);

  // Scores of any scale (BM25, cosine, RRF) compare as a share of the best one's; ranks stand in
  // when the scores are not positive.
  const topScore = Math.max(...passages.map((p) => p.score));
  const passageStanding = passages.map((p, rank) =>
    topScore > 0 ? Math.max(0, p.score) / topScore : 1 / (1 + rank),
  );
  // Each passage's sentences in reading order, for a sentence's predecessor.
  const inPassage = new Map<number, Candidate[]>();
  for (const c of candidates) inPassage.set(c.passage, [...(inPassage.get(c.passage) ?? []), c]);
  for (const list of inPassage.values()) list.sort((x, y) => x.order - y.order);

  const scored = candidates.map((c) => {
    const matched = new Set(queryTerms.filter((t) => c.termSet.has(t)));
    const matchedTerms = [...matched];
    const topic = topics.get(c.documentId)!;
    const inherited = queryTerms.filter((t) => !matched.has(t) && topic.has(t));
    const siblings = inPassage.get(c.passage)!;
    const previous = siblings[siblings.indexOf(c) - 1];
    const pairs = termPairs(c.terms);
    const features: SentenceFeatures = {
      coverage: coverage(weights, matchedTerms),
      localCoverage: coverage(documentWeights.get(c.documentId)!, matchedTerms),
      topicCoverage: blended(c.documentId, inherited),
      denseCoverage: matchDensity(c.terms, matched) * blended(c.documentId, matchedTerms),
      answerType: answerType === undefined ? 0 : holdsAnswerType(c.text, answerType, question) ? 1 : -1,
      passageStanding: passageStanding[c.passage]!,
      passageRank: 1 / (1 + c.passage),
      logWords: Math.log(1 + c.words),
      matchedShare: matched.size / queryTerms.length,
      pairShare:
        questionPairs.size === 0
          ? 0
          : [...questionPairs].filter((p) => pairs.has(p)).length / questionPairs.size,
      previousCoverage: previous === undefined ? 0 : coverage(weights, previous.termSet),
      firstInPassage: siblings[0] === c ? 1 : 0,
    };
    return { ...c, matched, score: logOdds(features, model.weights, c.kind) };
  });
  const ranked = scored.filter((c) => c.matched.size > 0).sort((a, b) => b.score - a.score);
  const best = ranked[0];
  if (best === undefined) return empty;

  // The most likely sentence, then the others whose chance is worth their length, best value first;
  // a version note only ever as the best (it would contradict the text about the present).
  const chances = answerChances(ranked.map((c) => c.score));
  const worth = ranked
    .map((c, i) => ({ c, chance: chances[i]! }))
    .filter(
      ({ c, chance }) => c !== best && c.kind !== 'version-note' && chance >= model.pricePerWord * c.words,
    )
    .sort((x, y) => y.chance / y.c.words - x.chance / x.c.words)
    .slice(0, maxSentences - 1)
    .map(({ c }) => c);
  const chosen = [best, ...worth];
  const covered = new Set(chosen.flatMap((c) => [...c.matched]));
  const evidence = coverage(weights, covered);
  const quote = chosen.map((c) => c.text).join(' ');
  if (evidence < minEvidence || negationMismatch(question, quote)) return { ...empty, evidence };

  chosen.sort((a, b) => a.passage - b.passage || a.order - b.order);
  const citations: Citation[] = [];
  const markerEnds: number[] = [];
  let answer = '';
  for (const c of chosen) {
    const passage = passages[c.passage]!;
    citations.push({
      ...citationFor(c.passage + 1, passage),
      text: c.text,
      start: c.absolute?.start,
      end: c.absolute?.end,
    });
    answer += `${answer === '' ? '' : ' '}${c.text} [${c.passage + 1}]`;
    markerEnds.push(answer.length);
  }
  return { answer, citations, evidence, declined: false, markerEnds };
}
