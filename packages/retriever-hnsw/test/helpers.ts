import {
  crc32Portable,
  createMemoryVectorRetriever,
  type Filter,
  type Metric,
  type RetrieverRecord,
  type RetrieverV1,
  seededRandom,
} from '@ragloom/core';
import { rejectionOf } from '@ragloom/test-utils';
import { expect } from 'vitest';
import {
  createHnswRetriever,
  type HnswLoadOptions,
  type HnswRetriever,
  type HnswRetrieverOptions,
  hnswRetrieverFromBytes,
} from '../src/index.js';
import {
  bodyOf,
  concatenate,
  encodeIndexFile,
  type IndexFileContents,
  parseIndexHeader,
} from '../src/index-file-format.js';

export { seededRandom };

export function gaussian(random: () => number): () => number {
  return () => {
    let u = 0;
    while (u === 0) u = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/**
 * Clustered vectors (like embeddings: topics of varying tightness) with metadata to filter on:
 * `bucket` (i % 10), `rare` (true for ~1%), `cluster`; and queries drawn from the same clusters.
 */
export function clusteredSet(
  count: number,
  queryCount: number,
  dimension: number,
  seed = 1,
  clusters = 24,
): { records: RetrieverRecord[]; queries: number[][] } {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dimension }, normal));
  const spreads = Array.from({ length: clusters }, () => 0.3 + random() * 0.6);
  const point = () => {
    const c = Math.floor(random() * clusters);
    return { c, vector: centres[c]!.map((x) => x + spreads[c]! * normal()) };
  };
  const records: RetrieverRecord[] = [];
  for (let i = 0; i < count; i++) {
    const { c, vector } = point();
    records.push({
      id: `r${i}`,
      text: `record ${i}`,
      metadata: { bucket: i % 10, rare: i % 97 === 0, cluster: c },
      vector,
    });
  }
  const queries = Array.from({ length: queryCount }, () => point().vector);
  return { records, queries };
}

/** Exact ground truth from core's brute-force reference retriever. */
export async function referenceIndex(
  records: readonly RetrieverRecord[],
  dimension: number,
  metric: Metric,
): Promise<RetrieverV1> {
  const reference = createMemoryVectorRetriever({ dimension, metric, encoderModelId: 'test-encoder' });
  await reference.upsert(records);
  return reference;
}

/** Mean recall@k of `index` against the exact reference over `queries`. */
export async function recallAtK(
  index: RetrieverV1,
  reference: RetrieverV1,
  queries: readonly (readonly number[])[],
  k: number,
  filter?: Filter,
  extra: Record<string, unknown> = {},
): Promise<number> {
  let hits = 0;
  let total = 0;
  for (const vector of queries) {
    const truth = await reference.search({ vector, k, filter });
    const found = new Set((await index.search({ vector, k, filter, ...extra })).map((h) => h.id));
    for (const h of truth) if (found.has(h.id)) hits++;
    total += truth.length;
  }
  return total === 0 ? 1 : hits / total;
}

/** Runs `work` (a promise or a function) and checks it fails with a RagloomError of `code`; returns the error. */
export async function expectCode(work: Promise<unknown> | (() => unknown), code: string) {
  const error = await rejectionOf(typeof work === 'function' ? Promise.resolve().then(work) : work);
  expect(error.code, error.message).toBe(code);
  return error;
}

/**
 * An index file with some sections replaced and every checksum recomputed: a crafted file that
 * passes the checksums, to test the structural checks behind them.
 */
export function rewriteSections(
  bytes: Uint8Array,
  replace: (sections: Record<string, Uint8Array>) => Record<string, Uint8Array>,
): Uint8Array {
  const header = parseIndexHeader(bytes, 'crafted', bytes.byteLength, crc32Portable);
  const sections: Record<string, Uint8Array> = {};
  for (const s of header.sections) sections[s.name] = bytes.slice(s.offset, s.offset + s.byteLength);
  const changed = { ...sections, ...replace(sections) };
  const bodies = Object.fromEntries(Object.entries(changed).map(([name, b]) => [name, bodyOf(b)]));
  const contents: IndexFileContents = {
    manifest: header.manifest,
    params: header.params,
    graph: header.graph,
    ...(header.quantization ? { quantization: header.quantization } : {}),
    sections: bodies,
  };
  return concatenate(encodeIndexFile(contents, crc32Portable));
}

/** The parsed header of index-file bytes. */
export function headerOf(bytes: Uint8Array) {
  return parseIndexHeader(bytes, 'bytes', bytes.byteLength, crc32Portable);
}

/**
 * Builds an index of `records` once (on first use) and hands every caller its own copy, loaded
 * from the built index's bytes (the same graph, with `runtime` settings such as
 * `compactionThreshold`): tests that mutate stay independent without each paying for the build,
 * which is what makes a test file slow on a loaded machine.
 */
export function buildOnce(
  options: HnswRetrieverOptions,
  records: readonly RetrieverRecord[],
): (runtime?: HnswLoadOptions) => Promise<HnswRetriever> {
  let bytes: Promise<Uint8Array> | undefined;
  return async (runtime = {}) => {
    bytes ??= (async () => {
      const index = createHnswRetriever(options);
      await index.upsert(records);
      return index.toBytes();
    })();
    const { fullScanThreshold, compactionThreshold, kernel } = options;
    return hnswRetrieverFromBytes(await bytes, {
      fullScanThreshold,
      compactionThreshold,
      kernel,
      ...runtime,
    });
  };
}

/** The searches an index answered by each path while `work` ran. */
export async function pathsDuring(
  index: HnswRetriever,
  work: () => Promise<unknown>,
): Promise<Record<string, number>> {
  const before = index.stats().searches;
  await work();
  const after = index.stats().searches;
  return Object.fromEntries(
    Object.entries(after)
      .map(([path, n]) => [path, n - before[path as keyof typeof before]] as const)
      .filter(([, n]) => n > 0),
  );
}
