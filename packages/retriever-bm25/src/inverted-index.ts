import { type Metadata, type MetadataPredicate, RagloomError } from '@ragloom/core';
import type { Bm25Parameters } from './bm25-parameters.js';
import {
  appendPosting,
  createPostingList,
  type PostingList,
  remapPostingList,
  viewPostingList,
} from './posting-list.js';
import {
  type AccumulatorMode,
  createAccumulator,
  type ScoringDocuments,
  type ScoringTerm,
  scoreTopK,
} from './query-scoring.js';

export interface StoredDocument {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata;
}

/** A document after analysis: term → frequency, and its length in terms. */
export interface AnalyzedDocument extends StoredDocument {
  readonly termCounts: ReadonlyMap<string, number>;
  readonly length: number;
}

export interface ScoredDocument {
  readonly document: StoredDocument;
  readonly score: number;
}

/**
 * The live documents of an index, compacted: documents by ordinal, and for each term (in `terms`
 * order) its postings `docs[offsets[t]..offsets[t+1])` with frequencies. What an index file stores.
 */
export interface IndexSnapshot {
  readonly documents: readonly StoredDocument[];
  readonly lengths: Uint32Array;
  readonly terms: readonly string[];
  readonly offsets: Uint32Array;
  readonly docs: Uint32Array;
  readonly freqs: Uint32Array;
}

export interface IndexStatistics {
  /** Live documents. */
  readonly documents: number;
  /** Distinct terms in live documents. */
  readonly terms: number;
  /** Stored (document, term) pairs, including ones of deleted documents not yet compacted away. */
  readonly postings: number;
  /** Mean length in terms of the live documents that have any term. */
  readonly averageLength: number;
  /** Deleted documents whose postings are still stored (removed by the next compaction). */
  readonly deleted: number;
}

export interface InvertedIndex {
  readonly size: number;
  has(id: string): boolean;
  /** Adds a document, replacing one with the same id. */
  put(document: AnalyzedDocument): void;
  remove(id: string): boolean;
  removeWhere(predicate: MetadataPredicate): number;
  count(predicate?: MetadataPredicate): number;
  documents(): IterableIterator<StoredDocument>;
  /** The best `k` documents for a bag of query terms (term → query frequency), BM25-scored. */
  search(
    query: ReadonlyMap<string, number>,
    k: number,
    parameters: Bm25Parameters,
    predicate: MetadataPredicate | undefined,
    /** Forces one accumulator mode (tests); by default it is chosen per query. */
    mode?: AccumulatorMode,
  ): ScoredDocument[];
  snapshot(): IndexSnapshot;
  stats(): IndexStatistics;
}

const corrupt = (message: string) => new RagloomError('INDEX_CORRUPT', message);

/**
 * An in-memory inverted index with BM25 scoring (Lucene's formula, as in Lucene 8+ and Anserini):
 *
 *   score(q, d) = Σ_t qtf(t) · idf(t) · tf / (tf + k1 · (1 − b + b · |d| / avgdl))
 *   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 *
 * N, df and avgdl count live documents only (Lucene keeps deleted ones until a merge). Deleting marks
 * a tombstone; postings of deleted documents are skipped and dropped by compaction once they are a
 * quarter of the index. Posting lists are typed arrays; scoring is in `query-scoring.ts`.
 */
export function createInvertedIndex(snapshot?: IndexSnapshot): InvertedIndex {
  // Documents by ordinal. Ordinals only grow; deleted slots hold undefined until compaction.
  const documents: (StoredDocument | undefined)[] = [];
  let lengths = new Uint32Array(16);
  /** 1 per live ordinal: what scoring checks instead of loading `documents[d]`. */
  let live = new Uint8Array(16);
  /** Distinct term ids of each document, to keep `df` exact when it is deleted. */
  const documentTerms: (Uint32Array | undefined)[] = [];
  let ordinalCount = 0;
  const ordinalById = new Map<string, number>();
  let liveCount = 0;
  /** Live documents with at least one term: Lucene's docCount, the N of idf and the divisor of avgdl. */
  let liveWithTerms = 0;
  let liveLength = 0;
  let deletedCount = 0;

  const termIds = new Map<string, number>();
  const terms: string[] = [];
  const postings: PostingList[] = [];
  let documentFrequency = new Int32Array(16);

  // Scoring scratch space, reused by every search (searches run synchronously, one at a time).
  const accumulator = createAccumulator();
  let norms = new Float64Array(0);
  let normsFor: { k1: number; b: number; version: number } | undefined;
  let version = 0;

  const growDocuments = (needed: number) => {
    if (needed <= lengths.length) return;
    const capacity = Math.max(needed, lengths.length * 2);
    const next = new Uint32Array(capacity);
    next.set(lengths.subarray(0, ordinalCount));
    lengths = next;
    const nextLive = new Uint8Array(capacity);
    nextLive.set(live.subarray(0, ordinalCount));
    live = nextLive;
  };

  const termId = (term: string): number => {
    let id = termIds.get(term);
    if (id === undefined) {
      id = terms.length;
      termIds.set(term, id);
      terms.push(term);
      postings.push(createPostingList());
      if (id >= documentFrequency.length) {
        const next = new Int32Array(documentFrequency.length * 2);
        next.set(documentFrequency);
        documentFrequency = next;
      }
    }
    return id;
  };

  const removeOrdinal = (ordinal: number) => {
    const document = documents[ordinal]!;
    ordinalById.delete(document.id);
    documents[ordinal] = undefined;
    live[ordinal] = 0;
    for (const t of documentTerms[ordinal]!) documentFrequency[t]!--;
    documentTerms[ordinal] = undefined;
    const length = lengths[ordinal]!;
    liveCount--;
    if (length > 0) liveWithTerms--;
    liveLength -= length;
    deletedCount++;
    version++;
  };

  /** Drops deleted documents' postings and renumbers ordinals densely (order kept). */
  const compact = () => {
    const remap = new Int32Array(ordinalCount).fill(-1);
    let next = 0;
    for (let d = 0; d < ordinalCount; d++) {
      if (documents[d] === undefined) continue;
      remap[d] = next;
      documents[next] = documents[d];
      documentTerms[next] = documentTerms[d];
      lengths[next] = lengths[d]!;
      live[next] = 1;
      ordinalById.set(documents[d]!.id, next);
      next++;
    }
    live.fill(0, next, ordinalCount);
    documents.length = next;
    documentTerms.length = next;
    ordinalCount = next;
    deletedCount = 0;
    for (const list of postings) remapPostingList(list, remap);
    version++;
  };

  const maybeCompact = () => {
    if (deletedCount > 1024 && deletedCount * 4 > ordinalCount) compact();
  };

  const put = (document: AnalyzedDocument) => {
    const existing = ordinalById.get(document.id);
    if (existing !== undefined) removeOrdinal(existing);
    const ordinal = ordinalCount++;
    growDocuments(ordinalCount);
    documents[ordinal] = { id: document.id, text: document.text, metadata: document.metadata };
    lengths[ordinal] = document.length;
    live[ordinal] = 1;
    const ids = new Uint32Array(document.termCounts.size);
    let i = 0;
    for (const [term, freq] of document.termCounts) {
      const t = termId(term);
      appendPosting(postings[t]!, ordinal, freq);
      documentFrequency[t]!++;
      ids[i++] = t;
    }
    documentTerms[ordinal] = ids;
    ordinalById.set(document.id, ordinal);
    liveCount++;
    if (document.length > 0) liveWithTerms++;
    liveLength += document.length;
    version++;
  };

  const lengthNorms = (parameters: Bm25Parameters): Float64Array => {
    const { k1, b } = parameters;
    if (normsFor?.k1 === k1 && normsFor.b === b && normsFor.version === version) return norms;
    if (norms.length < ordinalCount) norms = new Float64Array(lengths.length);
    const averageLength = liveWithTerms === 0 ? 1 : liveLength / liveWithTerms;
    for (let d = 0; d < ordinalCount; d++) norms[d] = k1 * (1 - b + (b * lengths[d]!) / averageLength);
    normsFor = { k1, b, version };
    return norms;
  };

  const search = (
    query: ReadonlyMap<string, number>,
    k: number,
    parameters: Bm25Parameters,
    predicate: MetadataPredicate | undefined,
    mode?: AccumulatorMode,
  ): ScoredDocument[] => {
    const norm = lengthNorms(parameters);
    const n = liveWithTerms;
    const scoringTerms: ScoringTerm[] = [];
    for (const [term, queryFrequency] of query) {
      const t = termIds.get(term);
      if (t === undefined) continue;
      const df = documentFrequency[t]!;
      if (df === 0) continue;
      const list = postings[t]!;
      scoringTerms.push({
        docs: list.docs,
        freqs: list.freqs,
        length: list.length,
        weight: queryFrequency * Math.log(1 + (n - df + 0.5) / (df + 0.5)),
      });
    }
    const scoring: ScoringDocuments = {
      ordinals: ordinalCount,
      norms: norm,
      live,
      idOf: (d) => documents[d]!.id,
      accept: predicate === undefined ? undefined : (d) => predicate(documents[d]!.metadata),
    };
    const best = scoreTopK(scoringTerms, scoring, k, accumulator, mode);
    return best.ordinals.map((d, i) => ({ document: documents[d]!, score: best.scores[i]! }));
  };

  const index: InvertedIndex = {
    get size() {
      return liveCount;
    },
    has: (id) => ordinalById.has(id),
    put,
    remove(id) {
      const ordinal = ordinalById.get(id);
      if (ordinal === undefined) return false;
      removeOrdinal(ordinal);
      maybeCompact();
      return true;
    },
    removeWhere(predicate) {
      let removed = 0;
      for (let d = 0; d < ordinalCount; d++) {
        const document = documents[d];
        if (document !== undefined && predicate(document.metadata)) {
          removeOrdinal(d);
          removed++;
        }
      }
      maybeCompact();
      return removed;
    },
    count(predicate) {
      if (predicate === undefined) return liveCount;
      let n = 0;
      for (let d = 0; d < ordinalCount; d++) {
        const document = documents[d];
        if (document !== undefined && predicate(document.metadata)) n++;
      }
      return n;
    },
    *documents() {
      for (let d = 0; d < ordinalCount; d++) {
        const document = documents[d];
        if (document !== undefined) yield document;
      }
    },
    search,
    snapshot() {
      if (deletedCount > 0) compact();
      // Terms that only deleted documents held are left out.
      const liveTerms: number[] = [];
      let postingCount = 0;
      for (let t = 0; t < terms.length; t++) {
        if (postings[t]!.length > 0) {
          liveTerms.push(t);
          postingCount += postings[t]!.length;
        }
      }
      const offsets = new Uint32Array(liveTerms.length + 1);
      const docs = new Uint32Array(postingCount);
      const freqs = new Uint32Array(postingCount);
      let at = 0;
      liveTerms.forEach((t, i) => {
        const list = postings[t]!;
        offsets[i] = at;
        docs.set(list.docs.subarray(0, list.length), at);
        freqs.set(list.freqs.subarray(0, list.length), at);
        at += list.length;
      });
      offsets[liveTerms.length] = at;
      return {
        documents: documents.slice(0, ordinalCount) as StoredDocument[],
        lengths: lengths.slice(0, ordinalCount),
        terms: liveTerms.map((t) => terms[t]!),
        offsets,
        docs,
        freqs,
      };
    },
    stats() {
      let postingCount = 0;
      let termCount = 0;
      for (let t = 0; t < terms.length; t++) {
        postingCount += postings[t]!.length;
        if (documentFrequency[t]! > 0) termCount++;
      }
      return {
        documents: liveCount,
        terms: termCount,
        postings: postingCount,
        averageLength: liveWithTerms === 0 ? 0 : liveLength / liveWithTerms,
        deleted: deletedCount,
      };
    },
  };

  if (snapshot !== undefined) {
    // Loading: check every structural invariant, so a damaged file is INDEX_CORRUPT, never wrong scores.
    const { lengths: snapshotLengths, offsets, docs, freqs } = snapshot;
    const n = snapshot.documents.length;
    if (snapshotLengths.length !== n) {
      throw corrupt(`${snapshotLengths.length} document lengths for ${n} documents`);
    }
    if (offsets.length !== snapshot.terms.length + 1 || offsets[0] !== 0) {
      throw corrupt('posting offsets do not match the term dictionary');
    }
    if (offsets[snapshot.terms.length] !== docs.length || freqs.length !== docs.length) {
      throw corrupt('posting offsets do not match the stored postings');
    }
    growDocuments(n);
    snapshot.documents.forEach((document, d) => {
      if (ordinalById.has(document.id)) throw corrupt(`document id "${document.id}" is stored twice`);
      ordinalById.set(document.id, d);
      documents[d] = document;
      lengths[d] = snapshotLengths[d]!;
      live[d] = 1;
    });
    ordinalCount = n;
    const termsPerDocument = new Uint32Array(n);
    const lengthCheck = new Float64Array(n);
    for (let t = 0; t < snapshot.terms.length; t++) {
      const term = snapshot.terms[t]!;
      if (termIds.has(term)) throw corrupt(`term "${term}" is stored twice`);
      const id = termId(term);
      const start = offsets[t]!;
      const end = offsets[t + 1]!;
      if (end < start) throw corrupt(`posting offsets decrease at term ${t}`);
      if (end === start) throw corrupt(`term "${term}" has no postings`);
      let previous = -1;
      for (let i = start; i < end; i++) {
        const d = docs[i]!;
        const freq = freqs[i]!;
        if (d >= n || d <= previous) throw corrupt(`postings of term "${term}" are out of order or range`);
        if (freq === 0) throw corrupt(`term "${term}" has a zero frequency`);
        previous = d;
        termsPerDocument[d]!++;
        lengthCheck[d]! += freq;
      }
      // Views into the loaded arrays, not copies: a list is copied only when it first grows.
      postings[id] = viewPostingList(docs, freqs, start, end);
      documentFrequency[id] = end - start;
    }
    for (let d = 0; d < n; d++) {
      if (lengthCheck[d] !== snapshotLengths[d]) {
        throw corrupt(`document "${snapshot.documents[d]!.id}" length does not match its postings`);
      }
      documentTerms[d] = new Uint32Array(termsPerDocument[d]!);
      liveCount++;
      liveLength += snapshotLengths[d]!;
      if (snapshotLengths[d]! > 0) liveWithTerms++;
    }
    const fill = new Uint32Array(n);
    for (let t = 0; t < postings.length; t++) {
      const list = postings[t]!;
      for (let i = 0; i < list.length; i++) {
        const d = list.docs[i]!;
        documentTerms[d]![fill[d]!++] = t;
      }
    }
  }

  return index;
}
