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
 * The weights of the sentence score and of the answer's growth. Calibrated on data kept apart from what
 * is reported: CMRC 2018 *trial* and SQuAD 2.0 dev-half questions 4001 on (`bench/eval`'s
 * extractive-answers script measures questions 1–4000 and CMRC dev).
 */
const SCORING = {
  /** Share of a term's rarity taken within its own document (the rest: among all retrieved sentences). */
  localRarity: 0.8,
  /** How much a tight cluster of matched terms adds (×(1 + d·density)). */
  density: 0.3,
  /** How much holding (or lacking) the asked-for kind of answer — a number, a time — scales the score. */
  answerType: 0.2,
  /** Bonus of a sentence by its passage's retrieval score, relative to the best passage's. */
  passageScore: 0.4,
  /** Words after which a sentence starts paying for its length, and the price per 60 words. */
  freeWords: 30,
  lengthPenalty: 0.15,
  /** The answer stops growing once it covers this much of the question. */
  enoughCoverage: 0.9,
  /** Least coverage a further sentence must add: from the quoted document, or from another one. */
  sameSourceGain: 0.1,
  otherSourceGain: 0.5,
};

const KIND_FACTOR: Record<SentenceKind, number> = {
  prose: 1,
  'version-note': 0.6,
  code: 1,
  heading: 0,
  directive: 0,
  navigation: 0,
};

const NEGATION = /\b(not|never|no|none|nor|neither|without|cannot)\b|n't\b/i;

/** The question asks about what is not so ("Who did not…") but the quote says nothing negative. */
function negationMismatch(question: string, quote: string): boolean {
  return NEGATION.test(question) && !NEGATION.test(quote);
}

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
 * Answers without a language model: quotes the shortest set of sentences of the retrieved passages that
 * answers the question. A sentence scores by how much of the question it covers — each term weighted by
 * its rarity among the retrieved sentences and within its own document, terms of the document's topic
 * counted for every sentence of it —, how close together the matched terms are, whether it holds the
 * kind of answer asked for (a number, a time), and how well its passage ranked. The best one is quoted;
 * more are added only while they cover question terms the quote lacks, from the same source unless
 * another one adds at least half of the question. Each sentence is quoted once, however many overlapping
 * chunks hold it; code counts only for questions about code; headings, directives and navigation never
 * count, and version notes ("Changed in version 3.4") rank below the text about the present.
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
  const queryTerms = [...new Set(positionedTerms(question).map((t) => t.term))];
  const sentences = sentencesOf(passages);
  const candidates = sentences.filter((c) => KIND_FACTOR[c.kind] > 0 && (c.kind !== 'code' || codeAllowed));
  const empty: ExtractiveAnswer = { answer: '', citations: [], evidence: 0, declined: true, markerEnds: [] };
  if (queryTerms.length === 0 || candidates.length === 0) return empty;

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
    (1 - SCORING.localRarity) * coverage(weights, terms) +
    SCORING.localRarity * coverage(documentWeights.get(documentId)!, terms);
  const topics = topicsOf(passages, sentences);
  const answerType = expectedAnswerType(question);

  // Scores of any scale (BM25, cosine, RRF) compare as a share of the best one's; ranks stand in
  // when the scores are not positive.
  const topScore = Math.max(...passages.map((p) => p.score));
  const passageStanding = passages.map((p, rank) =>
    topScore > 0 ? Math.max(0, p.score) / topScore : 1 / (1 + rank),
  );
  const scored = candidates.map((c) => {
    const matched = new Set(queryTerms.filter((t) => c.termSet.has(t)));
    const topic = topics.get(c.documentId)!;
    const inherited = queryTerms.filter((t) => !matched.has(t) && topic.has(t));
    const typeFit = answerType === undefined ? 0 : holdsAnswerType(c.text, answerType, question) ? 1 : -1;
    const relevance =
      (blended(c.documentId, [...matched]) * (1 + SCORING.density * matchDensity(c.terms, matched)) +
        blended(c.documentId, inherited)) *
      (1 + SCORING.answerType * typeFit);
    const score =
      KIND_FACTOR[c.kind] *
      (relevance +
        SCORING.passageScore * passageStanding[c.passage]! -
        (SCORING.lengthPenalty * Math.max(0, c.words - SCORING.freeWords)) / 60);
    return { ...c, matched, score };
  });
  const ranked = scored.filter((c) => c.matched.size > 0).sort((a, b) => b.score - a.score);
  const best = ranked[0];
  if (best === undefined) return empty;

  const chosen = [best];
  const covered = new Set(best.matched);
  while (chosen.length < maxSentences && coverage(weights, covered) < SCORING.enoughCoverage) {
    let pick: (typeof ranked)[number] | undefined;
    let pickGain = 0;
    for (const c of ranked) {
      if (chosen.includes(c)) continue;
      const gain = coverage(
        weights,
        [...c.matched].filter((t) => !covered.has(t)),
      );
      const needed = c.documentId === best.documentId ? SCORING.sameSourceGain : SCORING.otherSourceGain;
      if (gain >= needed && gain > pickGain) {
        pick = c;
        pickGain = gain;
      }
    }
    if (pick === undefined) break;
    chosen.push(pick);
    for (const t of pick.matched) covered.add(t);
  }
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
