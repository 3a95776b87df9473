import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { seededRandom } from '@ragloom/core';
import { assetPath } from '@ragloom/test-utils';

/** A benchmark data set: base vectors, queries and the exact top-`gtK` neighbours of each query. */
export interface Dataset {
  readonly name: string;
  /** The cached vector file (base then queries, float32), for ground-truth workers. */
  readonly file?: string;
  readonly metric: 'l2' | 'cosine';
  readonly dimension: number;
  readonly baseCount: number;
  readonly queryCount: number;
  /** baseCount × dimension, row-major. */
  readonly base: Float32Array;
  /** queryCount × dimension. */
  readonly queries: Float32Array;
  /** queryCount × gtK base indices, nearest first. */
  readonly groundTruth: Int32Array;
  readonly gtK: number;
}

const benchRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Cached generated data (gitignored: bench/.data/). */
export const dataDir = resolve(benchRoot, '..', '.data');

/**
 * MNIST 10k exactly as the shared assets' SPLIT.txt defines it: images 0..8999 are the base,
 * 9000..9999 the queries, float32 pixel values 0..255 without scaling; ground truth is the shipped
 * exact L2 top-100.
 */
export function loadMnist10k(): Dataset {
  const dir = assetPath('data', 'mnist10k');
  const raw = gunzipSync(readFileSync(join(dir, 't10k-images-idx3-ubyte.gz')));
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (magic !== 2051 || count !== 10000 || rows !== 28 || cols !== 28) {
    throw new Error(`unexpected idx header in ${dir}: magic ${magic}, ${count} × ${rows} × ${cols}`);
  }
  const dimension = rows * cols;
  const pixels = raw.subarray(16, 16 + count * dimension);
  const all = Float32Array.from(pixels);
  // Views, not copies: no large garbage left to skew the RSS measured during a build.
  const base = all.subarray(0, 9000 * dimension);
  const queries = all.subarray(9000 * dimension);

  const gtRaw = readFileSync(join(dir, 'mnist_groundtruth_l2_top100.ivecs'));
  const gtView = new DataView(gtRaw.buffer, gtRaw.byteOffset, gtRaw.byteLength);
  const gtK = gtView.getInt32(0, true);
  const record = 4 + gtK * 4;
  const queryCount = gtRaw.byteLength / record;
  if (queryCount !== 1000) throw new Error(`expected 1000 ground-truth rows, got ${queryCount}`);
  const groundTruth = new Int32Array(queryCount * gtK);
  for (let q = 0; q < queryCount; q++) {
    if (gtView.getInt32(q * record, true) !== gtK) throw new Error(`ivecs row ${q} has a different k`);
    for (let j = 0; j < gtK; j++) groundTruth[q * gtK + j] = gtView.getInt32(q * record + 4 + j * 4, true);
  }
  return {
    name: 'mnist-10k',
    metric: 'l2',
    dimension,
    baseCount: 9000,
    queryCount,
    base,
    queries,
    groundTruth,
    gtK,
  };
}

function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export interface SyntheticSpec {
  readonly baseCount: number;
  readonly queryCount: number;
  readonly dimension: number;
  readonly clusters: number;
  /** Dimension of the subspace a cluster's points spread in (embeddings have low intrinsic dimension). */
  readonly intrinsicDimension: number;
  /** Spread inside a cluster's subspace, relative to the centre's unit length. */
  readonly spread: number;
  /** Isotropic noise over all dimensions, relative to the centre's unit length. */
  readonly noise: number;
  readonly seed: number;
}

export const SYNTHETIC_100K: SyntheticSpec = {
  baseCount: 100_000,
  queryCount: 1000,
  dimension: 384,
  clusters: 200,
  intrinsicDimension: 24,
  spread: 0.6,
  noise: 0.15,
  seed: 42,
};

/**
 * Clustered unit vectors, like sentence embeddings: random unit cluster centres of random weight;
 * each point is its centre plus Gaussian spread inside a random low-dimensional subspace of the
 * cluster (× 0.6..1.4 per cluster) plus a little isotropic noise, normalised. Queries are drawn the
 * same way from the same clusters (they are not base points).
 */
export function generateSynthetic(spec: SyntheticSpec): { base: Float32Array; queries: Float32Array } {
  const { dimension: dim, clusters, intrinsicDimension: r } = spec;
  const random = seededRandom(spec.seed);
  const normal = gaussian(random);
  const unit = (v: Float32Array) => {
    let n = 0;
    for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
    n = Math.sqrt(n);
    for (let i = 0; i < v.length; i++) v[i]! /= n;
    return v;
  };
  const centres = Array.from({ length: clusters }, () => unit(Float32Array.from({ length: dim }, normal)));
  // r random directions per cluster, scaled so the subspace spread has norm ≈ spread.
  const bases = Array.from({ length: clusters }, () =>
    Array.from({ length: r }, () => unit(Float32Array.from({ length: dim }, normal))),
  );
  const weights = Array.from({ length: clusters }, () => 0.2 + random());
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) {
    total += w;
    cumulative.push(total);
  }
  const spreads = Array.from(
    { length: clusters },
    () => (spec.spread * (0.6 + 0.8 * random())) / Math.sqrt(r),
  );
  const noiseScale = spec.noise / Math.sqrt(dim);
  const pickCluster = () => {
    const x = random() * total;
    let lo = 0;
    let hi = clusters - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const point = new Float32Array(dim);
  const sample = (out: Float32Array, count: number) => {
    for (let p = 0; p < count; p++) {
      const c = pickCluster();
      point.set(centres[c]!);
      for (const direction of bases[c]!) {
        const z = normal() * spreads[c]!;
        for (let i = 0; i < dim; i++) point[i]! += z * direction[i]!;
      }
      for (let i = 0; i < dim; i++) point[i]! += noiseScale * normal();
      out.set(unit(point), p * dim);
    }
  };
  const base = new Float32Array(spec.baseCount * dim);
  const queries = new Float32Array(spec.queryCount * dim);
  sample(base, spec.baseCount);
  sample(queries, spec.queryCount);
  return { base, queries };
}

/**
 * Exact top-k by brute force (cosine on unit vectors = dot product), computed in float64 with ties
 * to the lower index, the same convention as the MNIST ground truth.
 */
export function bruteForceTopK(
  base: Float32Array,
  queries: Float32Array,
  dim: number,
  k: number,
  accept: ((index: number) => boolean) | null = null,
): Int32Array {
  const n = base.length / dim;
  const qn = queries.length / dim;
  const out = new Int32Array(qn * k).fill(-1);
  const bestScore = new Float64Array(k);
  const bestIndex = new Int32Array(k);
  for (let q = 0; q < qn; q++) {
    let size = 0;
    const qo = q * dim;
    for (let b = 0; b < n; b++) {
      if (accept !== null && !accept(b)) continue;
      const bo = b * dim;
      let s = 0;
      for (let i = 0; i < dim; i++) s += queries[qo + i]! * base[bo + i]!;
      if (size === k && s <= bestScore[k - 1]!) continue;
      // Insert into the sorted (descending) list; equal scores keep the lower index first.
      let i = size < k ? size++ : k - 1;
      while (i > 0 && bestScore[i - 1]! < s) {
        bestScore[i] = bestScore[i - 1]!;
        bestIndex[i] = bestIndex[i - 1]!;
        i--;
      }
      bestScore[i] = s;
      bestIndex[i] = b;
    }
    out.set(bestIndex.subarray(0, size), q * k);
  }
  return out;
}

/** Threads the ground truth is computed on (it dominates the first run of a new size). */
export const GROUND_TRUTH_THREADS = 2;

/**
 * Exact top-k of queries [0, queryCount) by brute force on GROUND_TRUTH_THREADS worker threads,
 * reading the vector file themselves; `below` < 1000 restricts the base to records whose
 * `sel` is below it (the filtered ground truth). Blocks until done (Atomics.wait on a SAB).
 */
export function bruteForceParallel(
  file: string,
  baseCount: number,
  queryCount: number,
  dim: number,
  k: number,
  below: number,
  log: (line: string) => void,
): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(queryCount * k * 4));
  const done = new Int32Array(new SharedArrayBuffer(8));
  const script = new URL('./ground-truth-worker.js', import.meta.url);
  const threads = Math.min(GROUND_TRUTH_THREADS, queryCount);
  const started = Date.now();
  for (let t = 0; t < threads; t++) {
    const from = Math.floor((t * queryCount) / threads);
    const to = Math.floor(((t + 1) * queryCount) / threads);
    new Worker(script, { workerData: { file, baseCount, dim, k, below, from, to, out, done } }).unref();
  }
  let finished = 0;
  while (finished < threads) {
    Atomics.wait(done, 0, finished, 30_000);
    finished = Atomics.load(done, 0);
    log(
      `  ground truth: ${finished}/${threads} threads done, ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  return Int32Array.from(out);
}

/** Exact filtered top-k for each filter (cached beside the vectors). */
export function filteredGroundTruth(
  dataset: Dataset,
  belows: readonly number[],
  queryCount: number,
  k: number,
  log: (line: string) => void,
): Map<number, Int32Array> {
  const out = new Map<number, Int32Array>();
  for (const below of belows) {
    const cache = dataset.file
      ? `${dataset.file.replace(/\.f32$/, '')}.gt-sel${below}-q${queryCount}.i32`
      : undefined;
    if (cache && existsSync(cache)) {
      const bytes = readFileSync(cache);
      out.set(
        below,
        new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      );
      continue;
    }
    if (!dataset.file) throw new Error('filtered runs need the synthetic set');
    log(`filtered ground truth for sel < ${below} ...`);
    const gt = bruteForceParallel(
      dataset.file,
      dataset.baseCount,
      queryCount,
      dataset.dimension,
      k,
      below,
      log,
    );
    if (cache) atomicWrite(cache, new Uint8Array(gt.buffer));
    out.set(below, gt);
  }
  return out;
}

/** recall@k of `found` against a ground truth of `gtK` per query, over the first `queryCount` queries. */
export function recallAgainst(
  truth: Int32Array,
  gtK: number,
  found: Int32Array,
  k: number,
  queryCount: number,
): number {
  let hits = 0;
  let total = 0;
  for (let q = 0; q < queryCount; q++) {
    const set = new Set<number>();
    for (let j = 0; j < k; j++) {
      const id = truth[q * gtK + j]!;
      if (id >= 0) set.add(id);
    }
    for (let j = 0; j < k; j++) if (set.has(found[q * k + j]!)) hits++;
    total += set.size;
  }
  return total === 0 ? 1 : hits / total;
}

function atomicWrite(file: string, data: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, data);
  renameSync(temp, file);
}

/** The synthetic set, generated once and cached under bench/.data/ together with its ground truth. */
export function loadSynthetic(spec: SyntheticSpec, log: (line: string) => void = () => {}): Dataset {
  const key = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 12);
  const stem = join(dataDir, `synthetic-${spec.baseCount}x${spec.dimension}-${key}`);
  const gtK = 100;
  const dim = spec.dimension;
  let base: Float32Array;
  let queries: Float32Array;
  let groundTruth: Int32Array;
  if (existsSync(`${stem}.gt.i32`) && existsSync(`${stem}.f32`)) {
    // Views into the file buffer (no copies, so no large garbage to skew RSS measurements).
    const vectors = readFileSync(`${stem}.f32`);
    const all = new Float32Array(vectors.buffer, vectors.byteOffset, vectors.byteLength / 4);
    base = all.subarray(0, spec.baseCount * dim);
    queries = all.subarray(spec.baseCount * dim);
    const gt = readFileSync(`${stem}.gt.i32`);
    groundTruth = new Int32Array(gt.buffer.slice(gt.byteOffset, gt.byteOffset + gt.byteLength));
  } else {
    log(`generating ${spec.baseCount} × ${dim} synthetic vectors (seed ${spec.seed}) ...`);
    ({ base, queries } = generateSynthetic(spec));
    const both = new Float32Array(base.length + queries.length);
    both.set(base);
    both.set(queries, base.length);
    base = both.subarray(0, base.length);
    queries = both.subarray(base.length);
    atomicWrite(`${stem}.f32`, new Uint8Array(both.buffer));
    log(`exact ground truth by brute force on ${GROUND_TRUTH_THREADS} threads (cached afterwards) ...`);
    groundTruth = bruteForceParallel(`${stem}.f32`, spec.baseCount, spec.queryCount, dim, gtK, 1000, log);
    atomicWrite(`${stem}.gt.i32`, new Uint8Array(groundTruth.buffer));
  }
  return {
    name: `synthetic-${spec.baseCount >= 1e6 ? `${spec.baseCount / 1e6}M` : `${spec.baseCount / 1000}k`}${spec.dimension === 384 ? '' : `x${spec.dimension}`}`,
    file: `${stem}.f32`,
    metric: 'cosine',
    dimension: dim,
    baseCount: spec.baseCount,
    queryCount: spec.queryCount,
    base,
    queries,
    groundTruth,
    gtK,
  };
}

/** recall@k of `found` (per query, the first k ids) against the ground truth. */
export function recallAtK(dataset: Dataset, found: Int32Array, k: number): number {
  let hits = 0;
  for (let q = 0; q < dataset.queryCount; q++) {
    const truth = new Set<number>();
    for (let j = 0; j < k; j++) truth.add(dataset.groundTruth[q * dataset.gtK + j]!);
    for (let j = 0; j < k; j++) if (truth.has(found[q * k + j]!)) hits++;
  }
  return hits / (dataset.queryCount * k);
}

export function loadDatasetFor(
  request: { dataset: 'mnist' | 'synthetic'; size: number; queryCount: number; dimension: number },
  log?: (line: string) => void,
): Dataset {
  if (request.dataset === 'mnist') return loadMnist10k();
  const spec = { ...SYNTHETIC_100K, baseCount: request.size, queryCount: request.queryCount };
  return loadSynthetic(
    request.dimension === spec.dimension ? spec : { ...spec, dimension: request.dimension },
    log,
  );
}

/** The `sel` metadata value of base vector `i` (independent of its cluster): `sel < x` selects x / 1000. */
export const selOf = (i: number) => i % 1000;
