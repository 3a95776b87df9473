import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import { readNewestManifest } from '../src/index-set/set-manifest.js';
import { ingestFiles } from '../src/ingest/ingest-files.js';
import { openRuntime, type RagloomRuntime } from '../src/runtime/open-runtime.js';
import { locatePassage } from '../src/runtime/source-location.js';
import { makePdf } from './helpers/make-pdf.js';
import { DOCS, HYBRID_CONFIG, makeProject } from './helpers/project.js';

async function openProject(dir: string): Promise<RagloomRuntime> {
  return openRuntime(await loadConfig({ cwd: dir, env: {} }), { access: 'write' });
}

async function counts(runtime: RagloomRuntime) {
  return Promise.all(runtime.retrievers.map((r) => r.retriever.count()));
}

describe('incremental ingest', () => {
  it('indexes new files, skips unchanged ones, replaces changed ones and removes deleted ones', async () => {
    const dir = makeProject(
      { ...DOCS, 'docs/paper.pdf': makePdf([['A PDF about vector search.'], ['Page two: HNSW graphs.']]) },
      HYBRID_CONFIG,
    );
    const docs = join(dir, 'docs');
    let runtime = await openProject(dir);
    const first = await ingestFiles(runtime, { paths: [docs] });
    expect(first.added.sort()).toEqual(['docs/ingest.txt', 'docs/paper.pdf', 'docs/server.md', 'docs/zh.md']);
    expect(first.interrupted).toBe(false);
    const [bm25, dense] = await counts(runtime);
    expect(bm25).toBe(first.chunks);
    expect(dense).toBe(first.chunks);
    await runtime.close();

    // A new process sees the saved indexes and the state: nothing to do.
    runtime = await openProject(dir);
    expect(await counts(runtime)).toEqual([first.chunks, first.chunks]);
    const again = await ingestFiles(runtime, { paths: [docs] });
    expect(again).toMatchObject({ added: [], updated: [], removed: [], unchanged: 4, chunks: 0 });

    writeFileSync(join(docs, 'server.md'), '# Server\n\nThe server now listens on port 9000.\n');
    rmSync(join(docs, 'ingest.txt'));
    const third = await ingestFiles(runtime, { paths: [docs] });
    expect(third.updated).toEqual(['docs/server.md']);
    expect(third.removed).toEqual(['docs/ingest.txt']);
    const hits = await runtime.pipeline.retrieve('port', { k: 10 });
    expect(hits.map((h) => h.text).join(' ')).toContain('9000');
    expect(hits.map((h) => h.text).join(' ')).not.toContain('8787');
    expect(await runtime.pipeline.retrieve('incremental content hash', { k: 10 })).not.toContainEqual(
      expect.objectContaining({ documentId: 'docs/ingest.txt' }),
    );
    const state = runtime.indexSet.state;
    expect(Object.keys(state.files).sort()).toEqual(['docs/paper.pdf', 'docs/server.md', 'docs/zh.md']);
    const total = Object.values(state.files).reduce((n, f) => n + f.chunks, 0);
    expect(await counts(runtime)).toEqual([total, total]);
    await runtime.close();
  });

  it('skips binary and unreadable files with a warning and keeps going', async () => {
    const dir = makeProject(
      {
        ...DOCS,
        'docs/blob.txt': new Uint8Array([1, 2, 0, 3, 4]),
        'docs/latin1.md': new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
      },
      HYBRID_CONFIG,
    );
    symlinkSync(join(dir, 'missing-target.md'), join(dir, 'docs', 'dangling.md'));
    const runtime = await openProject(dir);
    const warnings: string[] = [];
    const result = await ingestFiles(runtime, {
      paths: [join(dir, 'docs')],
      onWarning: (w) => warnings.push(w),
    });
    expect(result.added.sort()).toEqual(['docs/ingest.txt', 'docs/server.md', 'docs/zh.md']);
    expect(result.skipped.map((s) => s.source).sort()).toEqual([
      'docs/blob.txt',
      'docs/dangling.md',
      'docs/latin1.md',
    ]);
    expect(warnings.join('\n')).toMatch(/skipped docs\/blob\.txt: it looks binary/);
    expect(warnings.join('\n')).toMatch(/skipped docs\/latin1\.md: it is not valid UTF-8/);
    expect(warnings.join('\n')).toMatch(/skipped docs\/dangling\.md: cannot be read \(ENOENT\)/);
    await runtime.close();
  });

  it('records source lines, so hits and citations point at file:line', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    const runtime = await openProject(dir);
    await ingestFiles(runtime, { paths: [join(dir, 'docs')] });
    const result = await runtime.pipeline.ask('Which variable requires an API key?');
    expect(result.mode).toBe('extractive');
    const citation = result.citations.find((c) => c.text.includes('RAGLOOM_API_KEY'));
    expect(citation).toBeDefined();
    const passage = result.passages[citation!.number - 1]!;
    expect(locatePassage(passage).source).toBe('docs/server.md');
    const lines = readFileSync(join(dir, 'docs/server.md'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('RAGLOOM_API_KEY')) + 1;
    expect(passage.metadata.line).toBeLessThanOrEqual(line);
    expect(passage.metadata.endLine).toBeGreaterThanOrEqual(line);
    await runtime.close();
  });

  it('an interrupted ingest leaves the last checkpoint on disk, and the next run completes it', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++)
      files[`docs/file-${String(i).padStart(2, '0')}.md`] =
        `# File ${i}\n\nUnique word w${i}x appears here.\n`;
    const dir = makeProject(files, { ...HYBRID_CONFIG, ingest: { checkpointSeconds: 0.001 } });
    let runtime = await openProject(dir);
    const controller = new AbortController();
    const result = await ingestFiles(runtime, {
      paths: [join(dir, 'docs')],
      sliceSize: 8,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.filesDone >= 16) controller.abort();
      },
    });
    expect(result.interrupted).toBe(true);
    expect(result.checkpoints).toBeGreaterThan(0);
    await runtime.close();

    // What is on disk agrees with itself: the saved indexes hold exactly the files the state lists.
    runtime = await openProject(dir);
    const state = runtime.indexSet.state;
    const saved = Object.values(state.files);
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.length).toBeLessThan(40);
    expect(saved.every((f) => f.sha256 !== '0'.repeat(64))).toBe(true);
    const chunks = saved.reduce((n, f) => n + f.chunks, 0);
    expect(await counts(runtime)).toEqual([chunks, chunks]);

    const rest = await ingestFiles(runtime, { paths: [join(dir, 'docs')] });
    expect(rest.unchanged).toBe(saved.length);
    expect(rest.added.length).toBe(40 - saved.length);
    expect(await counts(runtime)).toEqual([40, 40]);
    const [hit] = await runtime.pipeline.retrieve('w39x');
    expect(hit!.documentId).toBe('docs/file-39.md');
    await runtime.close();
  });

  it('rebuild from scratch is possible after the settings change', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    let runtime = await openProject(dir);
    await ingestFiles(runtime, { paths: [join(dir, 'docs')] });
    await runtime.close();
    const config = JSON.parse(readFileSync(join(dir, 'ragloom.config.json'), 'utf8'));
    config.chunker = { type: 'sentence', chunkSize: 40, chunkOverlap: 0 };
    writeFileSync(join(dir, 'ragloom.config.json'), JSON.stringify(config));
    runtime = await openProject(dir);
    const warnings: string[] = [];
    const result = await ingestFiles(runtime, {
      paths: [join(dir, 'docs')],
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings[0]).toContain('changed since the last ingest');
    expect(result.updated.length).toBe(3);
    const state = runtime.indexSet.state;
    const chunks = Object.values(state.files).reduce((n, f) => n + f.chunks, 0);
    expect(await counts(runtime)).toEqual([chunks, chunks]);
    const manifest = await readNewestManifest(join(dir, '.ragloom'));
    expect(manifest?.members.dense).toMatchObject({ storage: 'files', count: chunks });
    expect(manifest?.members.dense?.files.map((f) => f.name)).toEqual(['hnsw.index']);
    await runtime.close();
  });
});
