import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32Portable, type Metric, type SearchHit, similarity } from '@ragloom/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createHnswRetriever,
  type HnswRetriever,
  hnswRetrieverFromBytes,
  INDEX_FORMAT_VERSION,
  loadHnswRetriever,
  type PersistentHnswRetriever,
} from '../src/index.js';
import { clusteredSet, expectCode, headerOf, recallAtK, referenceIndex, rewriteSections } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ragloom-hnsw-quantization-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIM = 48;
const { records, queries } = clusteredSet(2000, 40, DIM, 61);
const vectorOf = new Map(records.map((r) => [r.id, Float32Array.from(r.vector as number[])]));
const base = { encoderModelId: 'test/encoder', dimension: DIM, fullScanThreshold: 0, buildThreads: 1 };

/** Every hit's score is core's similarity() of the stored float32 vector, bit for bit. */
function expectExactScores(hits: SearchHit[], query: readonly number[], metric: Metric, vectors = vectorOf) {
  const q = Float32Array.from(query);
  for (const hit of hits) expect(hit.score).toBe(similarity(metric, q, vectors.get(hit.id)!));
}

async function build(quantization: 'int8' | 'binary', metric: Metric): Promise<HnswRetriever>;
async function build(
  quantization: 'int8' | 'binary',
  metric: Metric,
  path: string,
): Promise<PersistentHnswRetriever>;
async function build(quantization: 'int8' | 'binary', metric: Metric, path?: string): Promise<HnswRetriever> {
  const index = createHnswRetriever({ ...base, metric, quantization, path });
  await index.upsert(records);
  return index;
}

describe('quantized search', () => {
  for (const metric of ['cosine', 'dot', 'l2'] as Metric[]) {
    it(`int8, ${metric}: walks the codes, returns exact float scores, recall@10 ≥ 0.95`, async () => {
      const index = await build('int8', metric);
      expect(index.stats()).toMatchObject({ quantization: 'int8', floatVectors: 'memory' });
      for (const vector of queries.slice(0, 10)) {
        expectExactScores(await index.search({ vector, k: 10 }), vector, metric);
      }
      const reference = await referenceIndex(records, DIM, metric);
      expect(await recallAtK(index, reference, queries, 10)).toBeGreaterThanOrEqual(0.95);
      expect(index.stats().searches.graph).toBeGreaterThan(0);
    });
  }

  it('binary codes (one bit per dimension) rescore their candidates to exact scores', async () => {
    const index = await build('binary', 'cosine');
    for (const vector of queries.slice(0, 10)) {
      expectExactScores(await index.search({ vector, k: 10 }), vector, 'cosine');
    }
    // Far fewer bits than the ≥ 768 dimensions binary codes are meant for: a wide rescoring
    // window still gets most neighbours right.
    const reference = await referenceIndex(records, DIM, 'cosine');
    const recall = await recallAtK(index, reference, queries, 10, undefined, { ef: 200 });
    expect(recall).toBeGreaterThan(0.5);
    const wide = hnswRetrieverFromBytes(index.toBytes(), { ...base, oversampling: 20 });
    expect(await recallAtK(wide, reference, queries, 10, undefined, { ef: 200 })).toBeGreaterThan(recall);
  });

  it('a quantized scan (small index or selective filter) is exact while the floats are in memory', async () => {
    const index = createHnswRetriever({ ...base, fullScanThreshold: undefined, quantization: 'int8' });
    await index.upsert(records.slice(0, 1500));
    const reference = await referenceIndex(records.slice(0, 1500), DIM, 'cosine');
    for (const vector of queries.slice(0, 10)) {
      const hits = await index.search({ vector, k: 10 });
      expect(hits.map((h) => h.id)).toEqual((await reference.search({ vector, k: 10 })).map((h) => h.id));
      expectExactScores(hits, vector, 'cosine');
    }
    expect(index.stats().searches.scan).toBe(10);
  });
});

describe('quantized index files (format version 2)', () => {
  it('round-trips: version 2 with quantizer and codes, same answers, floats read from the file', async () => {
    const path = join(dir, 'int8.hnsw');
    const index = await build('int8', 'cosine', path);
    await index.save();
    const header = headerOf(readFileSync(path));
    expect(header.version).toBe(INDEX_FORMAT_VERSION);
    expect(header.quantization).toEqual({ kind: 'int8', version: 1, trainedOn: records.length });
    expect(header.sections.map((s) => s.name).slice(-2)).toEqual(['quantizer', 'codes']);
    const loaded = await loadHnswRetriever(path, { fullScanThreshold: 0 });
    expect(loaded.stats()).toMatchObject({ quantization: 'int8', floatVectors: 'file' });
    for (const vector of queries) {
      expect(await loaded.search({ vector, k: 10 })).toEqual(await index.search({ vector, k: 10 }));
    }
    const inMemory = await loadHnswRetriever(path, { fullScanThreshold: 0, floatVectors: 'memory' });
    expect(inMemory.stats().floatVectors).toBe('memory');
    expect(await inMemory.search({ vector: queries[0]!, k: 10 })).toEqual(
      await loaded.search({ vector: queries[0]!, k: 10 }),
    );
    await loaded.close();
  });

  it("floatVectors: 'file' hands the floats to the file on save; upserts, deletes and compaction keep scores exact", async () => {
    const path = join(dir, 'file-mode.hnsw');
    const index = createHnswRetriever({ ...base, quantization: 'int8', floatVectors: 'file', path });
    await index.upsert(records.slice(0, 1300));
    expect(index.stats().floatVectors).toBe('memory');
    await index.save();
    expect(index.stats().floatVectors).toBe('file');
    // New records: linked by their codes, floats in memory until the next save.
    await index.upsert(records.slice(1300));
    await index.delete({ filter: { bucket: { $in: [0, 1, 2] } } }); // 30%: compaction renumbers
    expect(index.stats().tombstones).toBe(0);
    const rest = records.filter((r) => (r.metadata!.bucket as number) > 2);
    const reference = await referenceIndex(rest, DIM, 'cosine');
    for (const vector of queries.slice(0, 10))
      expectExactScores(await index.search({ vector, k: 10 }), vector, 'cosine');
    expect(await recallAtK(index, reference, queries, 10)).toBeGreaterThanOrEqual(0.95);
    // Saving streams the rows from the old file and memory into the new one.
    await index.save();
    const loaded = await loadHnswRetriever(path, { fullScanThreshold: 0 });
    expect(await loaded.count()).toBe(rest.length);
    for (const vector of queries.slice(0, 10)) {
      expect(await loaded.search({ vector, k: 10 })).toEqual(await index.search({ vector, k: 10 }));
    }
    const scanned = new Map<string, number[]>();
    for await (const page of loaded.scan()) for (const r of page) scanned.set(r.id, Array.from(r.vector!));
    expect(scanned.get('r1999')).toEqual(Array.from(vectorOf.get('r1999')!));
    await loaded.close();
    await index.close();
  });

  it('re-quantizes on load when asked (the graph is kept), and the next save writes the new codes', async () => {
    const path = join(dir, 'plain.hnsw');
    const plain = createHnswRetriever({ ...base, path });
    await plain.upsert(records);
    await plain.save();
    expect(headerOf(readFileSync(path)).version).toBe(1);
    const binary = await loadHnswRetriever(path, { fullScanThreshold: 0, quantization: 'binary' });
    expect(binary.stats().quantization).toBe('binary');
    expectExactScores(await binary.search({ vector: queries[0]!, k: 10 }), queries[0]!, 'cosine');
    await binary.save(join(dir, 'binary.hnsw'));
    expect(headerOf(readFileSync(join(dir, 'binary.hnsw'))).quantization?.kind).toBe('binary');
    const back = await loadHnswRetriever(join(dir, 'binary.hnsw'), {
      quantization: 'none',
      fullScanThreshold: 0,
    });
    expect(await back.search({ vector: queries[1]!, k: 10 })).toEqual(
      await plain.search({ vector: queries[1]!, k: 10 }),
    );
    await binary.close();
  });

  it('an empty quantized index keeps its quantization through a save', async () => {
    const empty = createHnswRetriever({ ...base, quantization: 'int8' });
    const copy = hnswRetrieverFromBytes(empty.toBytes());
    expect(copy.stats().quantization).toBe('int8');
    await copy.upsert(records.slice(0, 50));
    expectExactScores(await copy.search({ vector: queries[0]!, k: 5 }), queries[0]!, 'cosine');
  });

  describe('damage to the new sections is INDEX_CORRUPT', () => {
    let good: Uint8Array;
    const load = (bytes: Uint8Array, name: string) => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return loadHnswRetriever(path);
    };

    it('a flipped byte in the quantizer or the codes names the section', async () => {
      good = (await build('int8', 'l2')).toBytes();
      for (const name of ['quantizer', 'codes']) {
        const section = headerOf(good).sections.find((s) => s.name === name)!;
        const bad = good.slice();
        bad[section.offset + (section.byteLength >> 1)]! ^= 0x04;
        const error = await expectCode(load(bad, `flip-${name}.hnsw`), 'INDEX_CORRUPT');
        expect(error.message).toContain(`section "${name}"`);
        await expectCode(() => hnswRetrieverFromBytes(bad), 'INDEX_CORRUPT');
      }
    });

    it('a non-finite or negative quantizer value under a valid checksum', async () => {
      for (const [value, problem] of [
        [Number.NaN, 'non-finite'],
        [-1, 'negative scale'],
      ] as const) {
        const bad = rewriteSections(good, ({ quantizer }) => {
          const floats = new Float32Array(quantizer!.slice().buffer);
          floats[DIM + 3] = value; // a scale
          return { quantizer: new Uint8Array(floats.buffer) };
        });
        expect((await expectCode(load(bad, `quantizer-${problem}.hnsw`), 'INDEX_CORRUPT')).message).toContain(
          problem,
        );
      }
    });

    it('codes of the wrong length, an unknown kind or quantizer version, quantization in a version-1 file', async () => {
      const short = rewriteSections(good, ({ codes }) => ({
        codes: codes!.subarray(0, codes!.byteLength - DIM),
      }));
      expect((await expectCode(load(short, 'short-codes.hnsw'), 'INDEX_CORRUPT')).message).toContain(
        '"codes"',
      );
      const header = headerOf(good);
      for (const [change, expected] of [
        [{ quantization: { ...header.quantization, kind: 'int4' } }, 'quantization.kind'],
        [{ quantization: { ...header.quantization, version: 2 } }, 'quantizer version 2'],
      ] as const) {
        const bad = withHeader(good, (h) => ({ ...h, ...change }));
        expect((await expectCode(load(bad, 'header.hnsw'), 'INDEX_CORRUPT')).message).toContain(expected);
      }
    });
  });
});

/** The bytes with a changed header JSON (checksum recomputed; sections unchanged, offsets kept). */
function withHeader(bytes: Uint8Array, change: (header: Record<string, unknown>) => Record<string, unknown>) {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const length = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + length)));
  const json = new TextEncoder().encode(JSON.stringify(change(header)));
  if (json.byteLength > length) throw new Error('the changed header must not be longer');
  const out = bytes.slice();
  out.fill(0x20, 24, 24 + length); // pad with spaces: still valid JSON of the same length
  out.set(json, 24);
  const crc = crc32Portable(out.subarray(24, 24 + length));
  new DataView(out.buffer).setUint32(16, crc, true);
  return out;
}
