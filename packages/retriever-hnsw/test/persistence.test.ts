import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32Portable } from '@ragloom/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createHnswRetriever,
  type HnswRetriever,
  hnswRetrieverFromBytes,
  INDEX_FORMAT_VERSION,
  loadHnswRetriever,
  openHnswRetriever,
  type PersistentHnswRetriever,
} from '../src/index.js';
import { decodeIndexFile, encodeIndexFile, SECTION_NAMES } from '../src/index-file-format.js';
import { clusteredSet, expectCode } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ragloom-hnsw-persistence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIM = 24;
const { records, queries } = clusteredSet(1500, 20, DIM, 11);
// Graph walks only (no exact shortcut), so the saved graph itself is what answers.
const options = {
  encoderModelId: 'test/encoder',
  dimension: DIM,
  metric: 'l2' as const,
  exactSearchThreshold: 0,
};

async function build(): Promise<HnswRetriever>;
async function build(path: string): Promise<PersistentHnswRetriever>;
async function build(path?: string): Promise<HnswRetriever> {
  const index = createHnswRetriever({ ...options, path });
  await index.upsert(records);
  await index.delete({ ids: ['r3', 'r400', 'r1001'] }); // tombstones are saved too (below the compaction threshold)
  return index;
}

describe('index file', () => {
  it('round-trips: same answers, same stats, and the loaded index keeps growing the same way', async () => {
    const path = join(dir, 'roundtrip.hnsw');
    const original = await build(path);
    expect(original.stats().tombstones).toBe(3);
    await original.save();
    const loaded = await loadHnswRetriever(path, { exactSearchThreshold: 0 });
    expect(loaded.manifest).toEqual(original.manifest);
    const { capacity: _c1, ...loadedStats } = loaded.stats();
    const { capacity: _c2, ...originalStats } = original.stats();
    expect(loadedStats).toEqual(originalStats);
    for (const vector of queries) {
      expect(await loaded.search({ vector, k: 10 })).toEqual(await original.search({ vector, k: 10 }));
    }
    // The level generator's state is stored: inserting after a load builds the same graph.
    const more = clusteredSet(200, 0, DIM, 13).records.map((r) => ({ ...r, id: `more-${r.id}` }));
    await original.upsert(more);
    await loaded.upsert(more);
    for (const vector of queries) {
      expect(await loaded.search({ vector, k: 10, ef: 16 })).toEqual(
        await original.search({ vector, k: 10, ef: 16 }),
      );
    }
  });

  it('round-trips with each kernel, for padded (24) and unpadded (32, read in place) rows', async () => {
    for (const dimension of [24, 32]) {
      const set = clusteredSet(700, 5, dimension, 14);
      for (const kernel of ['wasm', 'js'] as const) {
        const path = join(dir, `kernel-${kernel}-${dimension}.hnsw`);
        const index = createHnswRetriever({ ...options, dimension, kernel, path });
        await index.upsert(set.records);
        await index.save();
        const loaded = await loadHnswRetriever(path, { kernel, exactSearchThreshold: 0 });
        expect(loaded.stats().kernel).toBe(kernel === 'wasm' ? 'wasm-simd' : 'js');
        for (const vector of set.queries) {
          expect(await loaded.search({ vector, k: 10 })).toEqual(await index.search({ vector, k: 10 }));
        }
        const scanned = new Map<string, number[]>();
        for await (const page of loaded.scan())
          for (const r of page) scanned.set(r.id, Array.from(r.vector!));
        expect(scanned.get('r5')).toEqual(Array.from(Float32Array.from(set.records[5]!.vector as number[])));
      }
    }
  });

  it('saves atomically: no temporary files left, a second save replaces the first', async () => {
    const path = join(dir, 'atomic', 'nested', 'index.hnsw');
    const index = await build(path);
    await index.save();
    await index.upsert([{ id: 'extra', text: 'extra', vector: new Array(DIM).fill(0.5) }]);
    await index.save();
    expect(readdirSync(join(dir, 'atomic', 'nested'))).toEqual(['index.hnsw']);
    expect(await (await loadHnswRetriever(path)).count()).toBe(records.length - 3 + 1);
  });

  it('a failed save is IO_ERROR and leaves neither a temporary file nor a changed target', async () => {
    const folder = join(dir, 'failing');
    const target = join(folder, 'index.hnsw');
    mkdirSync(join(target, 'occupied'), { recursive: true }); // a non-empty folder where the file should go
    const index = await build(target);
    const error = await expectCode(index.save(), 'IO_ERROR');
    expect(error.message).toContain(target);
    expect(readdirSync(folder)).toEqual(['index.hnsw']);
    expect(readdirSync(target)).toEqual(['occupied']);
    // writeFile writes the same way.
    await expectCode((await build()).writeFile(target), 'IO_ERROR');
    expect(readdirSync(target)).toEqual(['occupied']);
  });

  it('reports progress while saving', async () => {
    const index = await build(join(dir, 'progress.hnsw'));
    const phases = new Set<string>();
    let lastWritten = 0;
    await index.save(undefined, {
      onProgress: (e) => {
        phases.add(e.phase);
        if (e.phase === 'write') {
          expect(e.completed).toBeGreaterThanOrEqual(lastWritten);
          lastWritten = e.completed;
        }
      },
    });
    expect([...phases]).toEqual(['encode', 'write']);
    expect(lastWritten).toBe(readFileSync(join(dir, 'progress.hnsw')).byteLength);
  });

  it('reports progress while loading, up to every byte of every section', async () => {
    const path = join(dir, 'load-progress.hnsw');
    await (await build(path)).save();
    const events: { phase: string; completed: number; total?: number }[] = [];
    await loadHnswRetriever(path, { onProgress: (e) => events.push(e) });
    const reads = events.filter((e) => e.phase === 'read');
    expect(reads.length).toBeGreaterThan(1);
    for (let i = 1; i < reads.length; i++)
      expect(reads[i]!.completed).toBeGreaterThan(reads[i - 1]!.completed);
    const last = reads.at(-1)!;
    expect(last.completed).toBe(last.total);
    expect(events.at(-1)!.phase).toBe('verify');
  });

  it('toBytes / hnswRetrieverFromBytes give the same index without a file system', async () => {
    const index = await build();
    const copy = hnswRetrieverFromBytes(index.toBytes(), { exactSearchThreshold: 0 });
    expect(await copy.search({ vector: queries[0]!, k: 5 })).toEqual(
      await index.search({ vector: queries[0]!, k: 5 }),
    );
    expect(copy.path).toBeUndefined();
    expect(copy.save, 'an index without a file cannot be saved').toBeUndefined();
  });

  it('starts with the magic, the version and a CRC-32 over the header', async () => {
    const bytes = (await build()).toBytes();
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x52, 0x4c, 0x48, 0x4e, 0x53, 0x57, 0x0a]);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint32(8, true)).toBe(INDEX_FORMAT_VERSION);
    const headerLength = view.getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + headerLength)));
    expect(crc32Portable(bytes.subarray(24, 24 + headerLength))).toBe(view.getUint32(16, true));
    expect(header.manifest).toEqual({
      kind: 'dense',
      encoderModelId: 'test/encoder',
      dimension: DIM,
      metric: 'l2',
    });
    expect(header.sections.map((s: { name: string }) => s.name)).toEqual([...SECTION_NAMES]);
    const last = header.sections.at(-1);
    expect(last.offset + last.byteLength).toBe(bytes.byteLength);
  });
});

describe('damaged files are INDEX_CORRUPT', () => {
  let good: Uint8Array;
  const loadBytes = async (bytes: Uint8Array, name: string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return loadHnswRetriever(path);
  };
  const header = (bytes: Uint8Array) => {
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    return JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + length))) as {
      sections: { name: string; offset: number; byteLength: number }[];
    };
  };

  it('a flipped byte in any section names the section', async () => {
    good = (await build()).toBytes();
    for (const section of header(good).sections) {
      const bad = good.slice();
      const at = section.offset + Math.floor(section.byteLength / 2);
      bad[at] = bad[at]! ^ 0x10;
      const error = await expectCode(loadBytes(bad, `flip-${section.name}.hnsw`), 'INDEX_CORRUPT');
      expect(error.message).toContain(`section "${section.name}"`);
      expect(error.message).toContain(`flip-${section.name}.hnsw`);
    }
  });

  it('a flipped byte in the header', async () => {
    const bad = good.slice();
    bad[40] = bad[40]! ^ 0x01;
    expect((await expectCode(loadBytes(bad, 'flip-header.hnsw'), 'INDEX_CORRUPT')).message).toContain(
      'header checksum',
    );
  });

  it('truncation, at any length', async () => {
    for (const length of [0, 5, 23, 200, good.byteLength >> 1, good.byteLength - 1]) {
      const error = await expectCode(
        loadBytes(good.subarray(0, length), `truncated-${length}.hnsw`),
        'INDEX_CORRUPT',
      );
      expect(error.message).toMatch(/truncated|only \d+ bytes/);
    }
  });

  it('trailing bytes', async () => {
    const bad = new Uint8Array(good.byteLength + 3);
    bad.set(good);
    expect((await expectCode(loadBytes(bad, 'trailing.hnsw'), 'INDEX_CORRUPT')).message).toContain(
      'unexpected bytes',
    );
  });

  it('another format version', async () => {
    for (const version of [0, 2, 999]) {
      const bad = good.slice();
      new DataView(bad.buffer).setUint32(8, version, true);
      const error = await expectCode(loadBytes(bad, `version-${version}.hnsw`), 'INDEX_CORRUPT');
      expect(error.message).toContain(String(version));
      if (version > INDEX_FORMAT_VERSION) expect(error.message).toContain('newer');
    }
  });

  it('wrong magic (another kind of file)', async () => {
    const error = await expectCode(
      loadBytes(new TextEncoder().encode('{"not":"an index"}'.repeat(4)), 'json.hnsw'),
      'INDEX_CORRUPT',
    );
    expect(error.message).toContain('magic');
  });

  it('a consistent checksum over an inconsistent graph (a crafted file) is still caught', async () => {
    const contents = decodeIndexFile(good, 'good', crc32Portable);
    const links0 = contents.links0.slice();
    links0[1] = contents.graph.slots + 5; // first neighbour of slot 0 points past the end
    const crafted = encodeIndexFile({ ...contents, links0 }, crc32Portable);
    const bytes = new Uint8Array(crafted.reduce((n, c) => n + c.byteLength, 0));
    let offset = 0;
    for (const c of crafted) {
      bytes.set(c, offset);
      offset += c.byteLength;
    }
    expect((await expectCode(() => hnswRetrieverFromBytes(bytes), 'INDEX_CORRUPT')).message).toContain(
      'links to',
    );

    const live = contents.ids.flatMap((id, slot) => (id === undefined ? [] : [slot]));
    const duplicate = [...contents.ids];
    duplicate[live[1]!] = contents.ids[live[0]!];
    const twice = encodeIndexFile({ ...contents, ids: duplicate }, crc32Portable);
    const bytes2 = new Uint8Array(twice.reduce((n, c) => n + c.byteLength, 0));
    offset = 0;
    for (const c of twice) {
      bytes2.set(c, offset);
      offset += c.byteLength;
    }
    expect((await expectCode(() => hnswRetrieverFromBytes(bytes2), 'INDEX_CORRUPT')).message).toContain(
      'stored twice',
    );
  });

  it('a non-finite vector under a valid checksum is caught, from a file and from bytes', async () => {
    const contents = decodeIndexFile(good, 'good', crc32Portable);
    const vectors = new Float32Array(contents.vectors[0]!.slice().buffer);
    vectors[7 * DIM + 2] = Number.NaN; // slot 7
    const crafted = encodeIndexFile(
      { ...contents, vectors: [new Uint8Array(vectors.buffer)] },
      crc32Portable,
    );
    const bytes = new Uint8Array(crafted.reduce((n, c) => n + c.byteLength, 0));
    let offset = 0;
    for (const c of crafted) {
      bytes.set(c, offset);
      offset += c.byteLength;
    }
    for (const load of [() => loadBytes(bytes, 'nan.hnsw'), async () => hnswRetrieverFromBytes(bytes)]) {
      expect((await expectCode(load, 'INDEX_CORRUPT')).message).toContain('vector 7 is not finite');
    }
  });

  it('a missing file is NOT_FOUND', async () => {
    await expectCode(loadHnswRetriever(join(dir, 'nope.hnsw')), 'NOT_FOUND');
  });
});

describe('the stored manifest', () => {
  it('load rejects an index built by another encoder, dimension or metric', async () => {
    const path = join(dir, 'manifest.hnsw');
    await (await build(path)).save();
    const error = await expectCode(
      loadHnswRetriever(path, { encoderModelId: 'other/encoder' }),
      'MANIFEST_MISMATCH',
    );
    expect(error.message).toContain('test/encoder');
    expect(error.message).toContain('other/encoder');
    await expectCode(loadHnswRetriever(path, { dimension: DIM + 1 }), 'MANIFEST_MISMATCH');
    await expectCode(loadHnswRetriever(path, { metric: 'cosine' }), 'MANIFEST_MISMATCH');
    const loaded = await loadHnswRetriever(path, {
      encoderModelId: 'test/encoder',
      dimension: DIM,
      metric: 'l2',
    });
    await expectCode(
      loaded.search({ vector: queries[0]!, k: 3, encoderModelId: 'other/encoder' }),
      'MANIFEST_MISMATCH',
    );
  });

  it('openHnswRetriever creates when missing, loads when present, and checks the manifest', async () => {
    const path = join(dir, 'open.hnsw');
    const created = await openHnswRetriever({ ...options, path });
    expect(await created.count()).toBe(0);
    await created.upsert(records.slice(0, 50));
    await created.save();
    const reopened = await openHnswRetriever({ ...options, path });
    expect(await reopened.count()).toBe(50);
    await expectCode(
      openHnswRetriever({ ...options, encoderModelId: 'other/encoder', path }),
      'MANIFEST_MISMATCH',
    );
  });
});
