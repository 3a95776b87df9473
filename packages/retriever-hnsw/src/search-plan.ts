import {
  compareHits,
  compileFilterNode,
  type FilterNode,
  type MetadataPredicate,
  type Metric,
  type SearchHit,
} from '@ragloom/core';
import {
  type ExactSearchScratch,
  inclusionLimit,
  keepNearest,
  keepWithinErrorBound,
  scanDistances,
} from './exact-search.js';
import { autoEf, DEFAULTS, LIMITS } from './hnsw-options.js';
import type { IndexState } from './index-state.js';

/** What a search needs beyond the request: the runtime settings. */
export interface SearchSettings {
  readonly metric: Metric;
  readonly dimension: number;
  /** undefined: adapts to k. */
  readonly ef: number | undefined;
  readonly fullScanThreshold: number;
  readonly oversampling: number | undefined;
}

/** How a search was answered (for stats and tests). */
export type SearchPath = 'scan' | 'filtered-scan' | 'graph' | 'graph-then-scan';

/**
 * A filtered walk passes through non-matching nodes, so it expands about ef / selectivity nodes
 * of ~M0/2 new distances each; a scan of the matches costs one distance per match. Scanning is
 * chosen when matches² ≤ factor · ef · (M0/2) · live (both sides measured in distances; the
 * factor covers a walk's heap and bookkeeping per distance, calibrated on bench/hnsw's filtered
 * runs).
 */
const WALK_COST_FACTOR = 1;
/** Records sampled to estimate how many a filter matches when the payload index cannot tell. */
const ESTIMATE_SAMPLE = 512;

export interface SearchInput {
  readonly query: Float32Array;
  readonly queryNorm: number;
  readonly k: number;
  /** Per-query beam width (overrides the index's). */
  readonly ef: number | undefined;
  readonly filter: FilterNode;
  /** Answer by a scan whatever the sizes (Qdrant's `exact` search parameter). */
  readonly exact?: boolean;
}

/**
 * Plans and runs one search: an exact scan when the candidates are few enough (the whole index
 * under `fullScanThreshold`, or a filter's matches found through the payload index), otherwise a
 * graph walk (on the codes when quantized) whose best candidates are rescored with the float
 * vectors. Every returned score is the exact one of core's `similarity()`.
 */
export function planAndSearch(
  state: IndexState,
  input: SearchInput,
  settings: SearchSettings,
  scratch: ExactSearchScratch,
  onPath?: (path: SearchPath) => void,
): SearchHit[] {
  const { graph, vectors, payload } = state;
  const live = graph.liveCount;
  if (live === 0) return [];
  const { k, filter } = input;
  const predicate: MetadataPredicate | null = filter.type === 'all' ? null : compileFilterNode(filter);
  const exact = vectors.exact;
  exact.setQuery(input.query);
  const walk = vectors.walk;
  // Unquantized, the walk measures on the float kernel, whose query is already set.
  if (vectors.codes !== null) walk.setQuery(input.query);
  const rowBytes = settings.dimension * 4;
  const threshold = settings.fullScanThreshold;
  const quantized = vectors.codes !== null;
  const oversampling = quantized
    ? (settings.oversampling ?? DEFAULTS.oversampling[vectors.quantization === 'binary' ? 'binary' : 'int8'])
    : 1;
  // The walk's beam is ef, whatever the storage; of its results, the best `rescored` by code
  // distance are scored on the floats.
  const rescored = Math.min(LIMITS.ef, Math.max(k, Math.ceil(k * oversampling)));
  const ef = Math.min(Math.max(input.ef ?? settings.ef ?? autoEf(k), k), LIMITS.ef);

  type Candidates = ReturnType<typeof payload.candidates>;
  const scan = (candidates: Candidates, path: SearchPath) => {
    onPath?.(path);
    // An exact candidate list needs no predicate check (a stale one, or none, does).
    const check = candidates?.exact ? null : predicate;
    return scanSearch(
      state,
      input,
      settings,
      scratch,
      candidates?.slots ?? null,
      check,
      quantized ? rescored : k,
    );
  };

  if (input.exact === true) {
    return scan(
      predicate === null ? null : payload.candidates(filter),
      predicate === null ? 'scan' : 'filtered-scan',
    );
  }
  if (predicate === null) {
    if ((threshold > 0 && live * rowBytes <= threshold) || k >= live) return scan(null, 'scan');
  } else if (threshold > 0) {
    const candidates = payload.candidates(filter);
    const estimate = candidates?.slots.length ?? estimateMatches(state, predicate);
    const scanIsCheaper = estimate * estimate <= WALK_COST_FACTOR * ef * graph.M * live;
    if (estimate * rowBytes <= threshold || scanIsCheaper) return scan(candidates, 'filtered-scan');
  }
  const metadata = state.records.metadataColumn();
  const accept = predicate === null ? null : (slot: number) => predicate(metadata[slot]);
  const found = graph.search(walk, k, ef, accept);
  // Fewer than k: the filter (or tombstones) cut the walk short — the scan is the truth.
  if (found < k) return scan(predicate === null ? null : payload.candidates(filter), 'graph-then-scan');
  onPath?.('graph');
  const keys = graph.resultKeys;
  const slots = graph.resultSlots;
  let count: number;
  if (quantized) {
    count = Math.min(found, rescored);
  } else {
    // Rescore exactly everything within the error bound of the k-th walk distance, so that
    // near-ties are ordered by exact score and id as everywhere else.
    let maxNorm = 0;
    for (let i = 0; i < found; i++) {
      const inv = exact.inverseNorm(slots[i]!);
      if (inv > 0) maxNorm = Math.max(maxNorm, 1 / inv);
    }
    const limit = inclusionLimit(settings.metric, settings.dimension, keys[k - 1]!, input.queryNorm, maxNorm);
    count = k;
    while (count < found && keys[count]! <= limit) count++;
  }
  return scoreAndRank(state, slots, count, k);
}

/**
 * A scan over the candidates (all live slots when null) that pass the predicate: distances on
 * the walk kernel, then the ones that can be in the top k are scored exactly. On float vectors
 * the result equals a brute-force scan; on codes (float vectors in the file) the `keep` nearest
 * by code are rescored.
 */
function scanSearch(
  state: IndexState,
  input: SearchInput,
  settings: SearchSettings,
  scratch: ExactSearchScratch,
  candidates: Int32Array | null,
  predicate: MetadataPredicate | null,
  keep: number,
): SearchHit[] {
  const { graph, vectors, records } = state;
  // With the floats in memory the scan measures on them (exact); else on the codes.
  const kernel = vectors.kernel ?? vectors.walk;
  const norms = vectors.kernel;
  const { count: n, maxNorm } = scanDistances(
    graph,
    kernel,
    candidates,
    records.metadataColumn(),
    predicate,
    scratch,
    norms,
  );
  const kept =
    norms !== null
      ? keepWithinErrorBound(
          scratch,
          n,
          input.k,
          settings.metric,
          settings.dimension,
          input.queryNorm,
          maxNorm,
        )
      : keepNearest(scratch, n, keep);
  return scoreAndRank(state, scratch.slots, kept, input.k);
}

/** Scores `slots` exactly (as core's similarity() does) and returns the best k as hits, in contract order. */
function scoreAndRank(state: IndexState, slots: Int32Array, count: number, k: number): SearchHit[] {
  const { records } = state;
  const exact = state.vectors.exact;
  const { slots: batchSlots, scores, limit } = exact.batch;
  const hits: SearchHit[] = new Array(count);
  for (let start = 0; start < count; start += limit) {
    const n = Math.min(limit, count - start);
    batchSlots.set(slots.subarray(start, start + n));
    exact.exactScores(n);
    for (let i = 0; i < n; i++) {
      const slot = batchSlots[i]!;
      hits[start + i] = {
        id: records.idOf(slot)!,
        score: scores[i]!,
        text: records.textOf(slot),
        metadata: records.metadataAt(slot),
      };
    }
  }
  hits.sort(compareHits);
  if (hits.length > k) hits.length = k;
  return hits;
}

/** Matches of `predicate` among the live records, estimated from an even sample. */
function estimateMatches(state: IndexState, predicate: MetadataPredicate): number {
  const { graph, records } = state;
  const size = graph.size;
  const sample = Math.min(size, ESTIMATE_SAMPLE);
  const step = size / sample;
  let checked = 0;
  let matched = 0;
  for (let i = 0; i < sample; i++) {
    const slot = Math.floor(i * step);
    if (!graph.isLive(slot)) continue;
    checked++;
    if (predicate(records.metadataAt(slot))) matched++;
  }
  return checked === 0 ? 0 : (matched / checked) * graph.liveCount;
}
