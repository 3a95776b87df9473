import { createBm25Retriever, ENGLISH_STOP_WORDS } from '@ragloom/retriever-bm25';
import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import bm25 from 'wink-bm25-text-search';
import nlp from 'wink-nlp-utils';
import { type BeirDataset, titleAndText } from './beir-dataset.js';
import type { QueryRun } from './retrieval-run.js';

/** A data set for the engine comparison, and which analysis family it needs. */
export interface EngineDataset {
  readonly name: string;
  readonly language: 'english' | 'cjk';
  readonly data: BeirDataset;
}

export interface EngineSettings {
  /** Hits per query. */
  readonly k: number;
  /** Passes over all queries after indexing; the first is reported apart (cold caches and JIT). */
  readonly passes: number;
  readonly k1: number;
  readonly b: number;
}

/** What one engine did on one data set: timings, and the ranking of the last pass (for nDCG). */
export interface EngineRun {
  readonly indexMs: number;
  readonly passMs: readonly number[];
  readonly run: QueryRun;
}

export interface Bm25Engine {
  readonly name: string;
  /** How it analyses text for this data set, in a few words (what differs from ragloom). */
  analysis(language: EngineDataset['language']): string;
  measure(dataset: EngineDataset, settings: EngineSettings): Promise<EngineRun>;
}

type RankedHit = { id: string; score: number };

/** Runs `passes` timed passes of `search` over every query. */
async function queryPasses(
  data: BeirDataset,
  passes: number,
  search: (text: string) => readonly RankedHit[] | Promise<readonly RankedHit[]>,
): Promise<{ passMs: number[]; run: QueryRun }> {
  const passMs: number[] = [];
  let run: QueryRun = new Map();
  for (let p = 0; p < passes; p++) {
    const current: QueryRun = new Map();
    const started = performance.now();
    for (const [queryId, text] of data.queries) current.set(queryId, [...(await search(text))]);
    passMs.push(performance.now() - started);
    run = current;
  }
  return { passMs, run };
}

export const ragloomEngine: Bm25Engine = {
  name: '@ragloom/retriever-bm25',
  analysis: (language) =>
    language === 'cjk'
      ? 'cjk: NFKC, Intl.Segmenter words, bigrams for unknown single characters'
      : 'english: UAX #29 words, possessive, Lucene stop words, Porter',
  async measure({ data, language }, { k, passes, k1, b }) {
    const records = data.corpus.map((d) => ({ id: d.id, text: titleAndText(d) }));
    const started = performance.now();
    const retriever = createBm25Retriever({ analyzer: language, k1, b });
    await retriever.upsert(records);
    const indexMs = performance.now() - started;
    return { indexMs, ...(await queryPasses(data, passes, (text) => retriever.search({ text, k }))) };
  },
};

const chineseWords = new Intl.Segmenter('zh', { granularity: 'word' });
/** Word-like segments of `Intl.Segmenter` (what a MiniSearch or wink user would plug in for Chinese). */
const segmentWords = (text: string): string[] => {
  const words: string[] = [];
  for (const s of chineseWords.segment(text)) if (s.isWordLike) words.push(s.segment.toLowerCase());
  return words;
};

const stopwords = new Set(ENGLISH_STOP_WORDS);
const englishTerm = (token: string): string | null => {
  const lower = token.toLowerCase();
  return lower.length === 0 || stopwords.has(lower) ? null : stemmer(lower);
};

export const miniSearchEngine: Bm25Engine = {
  name: 'minisearch 7.2.0',
  analysis: (language) =>
    language === 'cjk'
      ? 'Intl.Segmenter words (tokenize option); scores x matched query terms'
      : 'its tokenizer, Lucene stop words, Porter (processTerm); scores x matched query terms',
  async measure({ data, language }, { k, passes, k1, b }) {
    const started = performance.now();
    // d 0 turns its BM25+ into plain BM25; the idf is Lucene's. It ranks by score x matched terms.
    const index = new MiniSearch<{ id: string; text: string }>({
      fields: ['text'],
      ...(language === 'cjk'
        ? { tokenize: segmentWords, processTerm: (t: string) => t }
        : { processTerm: englishTerm }),
      searchOptions: { bm25: { k: k1, b, d: 0 } },
    });
    index.addAll(data.corpus.map((d) => ({ id: d.id, text: titleAndText(d) })));
    const indexMs = performance.now() - started;
    const search = (text: string) =>
      index
        .search(text)
        .slice(0, k)
        .map((h) => ({ id: String(h.id), score: h.score }));
    return { indexMs, ...(await queryPasses(data, passes, search)) };
  },
};

export const winkEngine: Bm25Engine = {
  name: 'wink-bm25-text-search 3.1.2',
  analysis: (language) =>
    language === 'cjk'
      ? 'Intl.Segmenter words (prep task)'
      : "wink-nlp-utils: lowercase, tokenize0, wink's stop words, stem",
  async measure({ data, language }, { k, passes, k1, b }) {
    const started = performance.now();
    const engine = bm25();
    engine.defineConfig({ fldWeights: { body: 1 }, bm25Params: { k1, b } });
    engine.definePrepTasks(
      language === 'cjk'
        ? [segmentWords]
        : [nlp.string.lowerCase, nlp.string.tokenize0, nlp.tokens.removeWords, nlp.tokens.stem],
    );
    for (const d of data.corpus) engine.addDoc({ body: titleAndText(d) }, d.id);
    engine.consolidate();
    const indexMs = performance.now() - started;
    const search = (text: string) => engine.search(text, k).map(([id, score]) => ({ id: String(id), score }));
    return { indexMs, ...(await queryPasses(data, passes, search)) };
  },
};
