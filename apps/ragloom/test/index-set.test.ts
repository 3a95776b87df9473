import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { isRagloomError, type RetrieverV1 } from '@ragloom/core';
import { openBm25Retriever } from '@ragloom/retriever-bm25';
import { openHnswRetriever } from '@ragloom/retriever-hnsw';
import { rejectionOf } from '@ragloom/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import { readNewestManifest } from '../src/index-set/set-manifest.js';
import { ingestDocuments } from '../src/ingest/ingest-documents.js';
import { ingestFiles } from '../src/ingest/ingest-files.js';
import { openRuntime, type RagloomRuntime, settingsFingerprint } from '../src/runtime/open-runtime.js';
import { committedFile, DOCS, HYBRID_CONFIG, makeProject } from './helpers/project.js';

async function open(dir: string, access: 'read' | 'write' = 'read', extra = {}): Promise<RagloomRuntime> {
  return openRuntime(await loadConfig({ cwd: dir, env: {} }), { access, ...extra });
}

const counts = (runtime: RagloomRuntime) => Promise.all(runtime.retrievers.map((r) => r.retriever.count()));

function notes(n: number, prefix: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++)
    files[`${prefix}/note-${i}.md`] = `# Note ${i}\n\nThe word ${prefix}${i}q is here.\n`;
  return files;
}

describe('index sets: readers, writers and commits', () => {
  it('a reader moves to what a writer committed, and a leased view keeps answering until released', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    const writer = await open(dir, 'write');
    await ingestFiles(writer, { paths: [join(dir, 'docs')] });
    const reader = await open(dir);
    const before = await counts(reader);
    expect(before).toEqual(await counts(writer));
    const lease = reader.indexSet.lease();

    await ingestDocuments(writer, [{ id: 'late', text: 'The zeppelin hangar opens at dawn.' }]);
    expect(await reader.indexSet.refresh()).toBe(true);
    expect(reader.indexSet.generation).toBe(writer.indexSet.generation);
    const [hit] = await reader.pipeline.retrieve('zeppelin hangar');
    expect(hit!.documentId).toBe('api://late');
    // The leased view is the old generation, still open.
    expect(await counts(lease.runtime)).toEqual(before);
    expect(
      (await lease.runtime.pipeline.retrieve('zeppelin hangar', { k: 20 })).map((p) => p.documentId),
    ).not.toContain('api://late');
    lease.release();
    expect(await reader.indexSet.refresh()).toBe(false);
    await reader.close();
    await writer.close();
  });

  it('no search sees half a commit: each one finds a new document in every retriever or in none', async () => {
    const dir = makeProject(notes(150, 'base'), HYBRID_CONFIG);
    const writer = await open(dir, 'write');
    await ingestFiles(writer, { paths: [join(dir, 'base')] });
    let torn = 0;
    let seen = 0;
    let searches = 0;
    for (let round = 0; round < 4; round++) {
      const word = `fresh${round}zq`;
      // The new word is in the last document, so that a retriever that yields while it inserts (HNSW
      // does, every 25 ms) would be caught holding it in one member and not yet in the other.
      const docs = Array.from({ length: 400 }, (_, i) => ({
        id: `r${round}-${i}`,
        text: i === 399 ? `The word ${word} is new.` : `Filler text number ${i} of round ${round}.`,
      }));
      const committing = ingestDocuments(writer, docs);
      let done = false;
      committing.finally(() => (done = true));
      while (!done) {
        await new Promise((resolve) => setImmediate(resolve)); // let the commit's file I/O run
        const passages = await writer.pipeline.retrieve(word, { k: 5 });
        searches++;
        const found = passages.find((p) => p.documentId === `api://r${round}-399`);
        if (!found) continue;
        seen++;
        const by = new Set(found.sources!.map((s) => s.retriever));
        if (by.size !== 2) torn++;
      }
      await committing;
      const after = await writer.pipeline.retrieve(word, { k: 5 });
      expect(new Set(after[0]!.sources!.map((s) => s.retriever))).toEqual(new Set(['bm25', 'dense']));
    }
    expect(searches).toBeGreaterThan(4);
    expect(torn).toBe(0);
    expect(seen).toBeGreaterThan(0);
    await writer.close();
  });

  it('a commit that fails half-way applies nothing, in memory or on disk, and the next one works', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    const writer = await open(dir, 'write');
    await ingestFiles(writer, { paths: [join(dir, 'docs')] });
    const generation = writer.indexSet.generation;
    const before = await counts(writer);
    const error: Error = await writer.indexSet
      .writer!.commit({
        apply: async (members) => {
          await members.get('bm25')!.upsert([{ id: 'half', text: 'only in bm25' }]);
          throw new Error('disk full, say');
        },
      })
      .then(
        () => new Error('the commit succeeded'),
        (e: Error) => e,
      );
    expect(error.message).toBe('disk full, say');
    expect(writer.indexSet.generation).toBe(generation);
    expect(await counts(writer)).toEqual(before);
    expect((await readNewestManifest(join(dir, '.ragloom')))?.generation).toBe(generation);
    await ingestDocuments(writer, [{ id: 'next', text: 'after the failure' }]);
    expect(await counts(writer)).toEqual(before.map((n) => n + 1));
    await writer.close();
  });

  it('a writer never replaces a generation it did not see, nor commits after losing its lock', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    const dataDir = join(dir, '.ragloom');
    const writer = await open(dir, 'write');
    await ingestFiles(writer, { paths: [join(dir, 'docs')] });
    const mine = writer.indexSet.generation;

    // Another writer (one that took a lock it judged abandoned) committed the next generation meanwhile.
    const manifest = JSON.parse(
      readFileSync(join(dataDir, 'index-set', `manifest-${String(mine).padStart(12, '0')}.json`), 'utf8'),
    );
    const theirs = { ...manifest, generation: mine + 1 };
    writeFileSync(
      join(dataDir, 'index-set', `manifest-${String(mine + 1).padStart(12, '0')}.json`),
      JSON.stringify(theirs),
    );
    const conflict = await rejectionOf(
      ingestDocuments(writer, [{ id: 'stale', text: 'from a stale writer' }]),
    );
    expect(isRagloomError(conflict, 'INDEX_LOCKED')).toBe(true);
    expect(conflict.message).toContain(`committed generation ${mine + 1}`);
    expect(conflict.message).toContain('nothing of this write was saved');
    expect(
      JSON.parse(
        readFileSync(
          join(dataDir, 'index-set', `manifest-${String(mine + 1).padStart(12, '0')}.json`),
          'utf8',
        ),
      ),
    ).toEqual(theirs);

    const other = makeProject(DOCS, HYBRID_CONFIG);
    const w2 = await open(other, 'write');
    await ingestFiles(w2, { paths: [join(other, 'docs')] });
    const { rmSync } = await import('node:fs');
    rmSync(join(other, '.ragloom', 'writer.lock'));
    const lost = await rejectionOf(ingestDocuments(w2, [{ id: 'x', text: 'after losing the lock' }]));
    expect(isRagloomError(lost, 'INDEX_LOCKED')).toBe(true);
    expect(lost.message).toContain('saves nothing');
    await w2.close();
    await writer.close();
  });

  it('refuses a member file copied from another data set (INDEX_MISMATCH with counts and a fix)', async () => {
    const a = makeProject(notes(30, 'a'), HYBRID_CONFIG);
    const b = makeProject(notes(4, 'b'), HYBRID_CONFIG);
    for (const dir of [a, b]) {
      const w = await open(dir, 'write');
      await ingestFiles(w, { paths: [dir] });
      await w.close();
    }
    copyFileSync(
      committedFile(join(b, '.ragloom'), 'dense', 'hnsw.index'),
      committedFile(join(a, '.ragloom'), 'dense', 'hnsw.index'),
    );
    const error = await rejectionOf(open(a));
    expect(isRagloomError(error, 'INDEX_MISMATCH')).toBe(true);
    expect(error.message).toContain('retriever "dense": hnsw.index has');
    expect(error.message).toContain('retriever "dense" holds 4 records, the set recorded 30');
    expect(error.message).toContain('fix: the members of this index set do not belong together');
    expect(error.message).toContain('ragloom ingest --rebuild');
    // A writer refuses it too, unless it rebuilds.
    expect(isRagloomError(await rejectionOf(open(a, 'write')), 'INDEX_MISMATCH')).toBe(true);
    const rebuilt = await open(a, 'write', { rebuild: true });
    await ingestFiles(rebuilt, { paths: [a], rebuild: true });
    expect(await counts(rebuilt)).toEqual([30, 30]);
    await rebuilt.close();
    const reopened = await open(a);
    expect(await counts(reopened)).toEqual([30, 30]);
    await reopened.close();
  });

  it('opens a data dir written before index sets, refuses one whose members disagree, and migrates on the first commit', async () => {
    const dir = makeProject(notes(5, 'n'), HYBRID_CONFIG);
    const dataDir = join(dir, '.ragloom');
    const config = await loadConfig({ cwd: dir, env: {} });
    // The layout of the previous ragloom: indexes/<name>/ and ingest-state.json (v1) in the data dir.
    mkdirSync(join(dataDir, 'indexes'), { recursive: true });
    const bm25 = await openBm25Retriever({
      path: join(dataDir, 'indexes', 'bm25', 'bm25.index'),
      analyzer: 'auto',
    });
    const dense = await openHnswRetriever({
      path: join(dataDir, 'indexes', 'dense', 'hnsw.index'),
      encoderModelId: 'ragloom/hashing-64',
      dimension: 64,
      metric: 'cosine',
    });
    const { createHashingEncoder } = await import('@ragloom/core');
    const encoder = createHashingEncoder({ dimension: 64 });
    const texts = ['alpha beta', 'gamma delta', 'epsilon'];
    const { embeddings } = await encoder.embed({ texts, inputType: 'document' });
    const records = texts.map((text, i) => ({
      id: `doc${i}#0`,
      text,
      metadata: { documentId: `doc${i}` },
      vector: embeddings[i],
    }));
    await bm25.upsert(records.map(({ vector: _v, ...r }) => r));
    await dense.upsert(records.slice(0, 2));
    await bm25.save();
    await dense.save!();
    writeFileSync(
      join(dataDir, 'ingest-state.json'),
      JSON.stringify({
        format: 'ragloom-ingest-state',
        version: 1,
        settings: settingsFingerprint(config.config),
        files: {},
      }),
    );
    const mismatch = await rejectionOf(open(dir));
    expect(isRagloomError(mismatch, 'INDEX_MISMATCH')).toBe(true);
    expect(mismatch.message).toContain('the members hold different numbers of records: bm25 3, dense 2');

    await dense.upsert(records.slice(2));
    await dense.save!();
    const reader = await open(dir);
    expect(reader.indexSet.generation).toBe(0);
    expect(await counts(reader)).toEqual([3, 3]);
    await reader.close();
    const writer = await open(dir, 'write');
    await ingestFiles(writer, { paths: [join(dir, 'n')] });
    expect(await counts(writer)).toEqual([8, 8]);
    await writer.close();
    expect(existsSync(join(dataDir, 'indexes'))).toBe(false);
    expect(existsSync(join(dataDir, 'ingest-state.json'))).toBe(false);
    expect(readdirSync(join(dataDir, 'index-set')).filter((n) => n.startsWith('manifest-'))).toHaveLength(1);
    const after = await open(dir);
    expect(await counts(after)).toEqual([8, 8]);
    await after.close();
  });
});

describe('index sets: leftovers of killed writers', () => {
  it('a commit removes a manifest temporary file older than a minute and keeps a fresh one', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    const writer = await open(dir, 'write');
    await ingestFiles(writer, { paths: [join(dir, 'docs')] });
    const setDir = join(dir, '.ragloom', 'index-set');
    const old = join(setDir, '.manifest-000000000099.json.0123456789ab.tmp');
    const fresh = join(setDir, '.manifest-000000000099.json.ba9876543210.tmp');
    writeFileSync(old, '{}');
    writeFileSync(fresh, '{}');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(old, twoMinutesAgo, twoMinutesAgo);
    await ingestDocuments(writer, [{ id: 'next', text: 'A commit after the killed writer.' }]);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    await writer.close();
  });
});

describe('index sets: the persistence contract of what the runtime hands out', () => {
  it('the runtime and its ingests give pipelines retrievers that report persistent: false and have no save()', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    const writer = await open(dir, 'write');
    const handed: RetrieverV1[] = [];
    const pipelineWith = writer.pipelineWith;
    vi.spyOn(writer, 'pipelineWith').mockImplementation((overrides) => {
      handed.push(...(overrides.retrievers ?? []).map((entry) => entry.retriever));
      return pipelineWith(overrides);
    });
    await ingestFiles(writer, { paths: [join(dir, 'docs')] });
    await ingestDocuments(writer, [{ id: 'one', text: 'The zeppelin hangar opens at dawn.' }]);
    // Writes reach the files only through a commit of the whole set, never through a pipeline's save().
    const all = [...handed, ...writer.retrievers.map((entry) => entry.retriever)];
    expect(handed.length).toBeGreaterThanOrEqual(2 * writer.retrievers.length);
    for (const retriever of all) {
      expect(retriever.capabilities.persistent, retriever.provider).toBe(false);
      expect(retriever.save, retriever.provider).toBeUndefined();
    }
    await writer.close();
  });
});
