import { readFileSync } from 'node:fs';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import {
  type Chunk,
  createMarkdownChunker,
  createRecursiveChunker,
  createSentenceChunker,
  type Document,
  isRagloomError,
  splitSentences,
} from '../src/index.js';

const ENGLISH = `Retrieval-augmented generation (RAG) grounds a language model in documents. Mr. Smith built one in 2023; it answered questions about U.S. tax law at 3 p.m. every day!

The pipeline has three steps. First, documents are split into chunks. Second, each chunk is embedded and stored in an index. Third, at query time the closest chunks are retrieved and given to the model, which cites them.

Why chunk at all? Models read a limited number of tokens, and smaller passages make retrieval more precise. Dr. J. Watson disagreed, e.g. for short FAQs.`;

interface CmrcFile {
  data: { paragraphs: { context: string }[] }[];
}
const cmrc = JSON.parse(
  readFileSync(assetPath('data', 'cmrc2018', 'cmrc2018_dev.squad.json'), 'utf8'),
) as CmrcFile;
const CHINESE_PARAGRAPHS = cmrc.data.slice(0, 40).flatMap((d) => d.paragraphs.map((p) => p.context));

/** Every chunk slices back to its text, and no non-space character of the source is dropped. */
function expectFaithful(doc: Document, chunks: Chunk[]) {
  const covered = new Uint8Array(doc.text.length);
  chunks.forEach((chunk, index) => {
    expect(doc.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunk.index).toBe(index);
    expect(chunk.id).toBe(`${doc.id}#${index}`);
    expect(chunk.documentId).toBe(doc.id);
    expect(chunk.text).toBe(chunk.text.trim());
    expect(chunk.text.length).toBeGreaterThan(0);
    covered.fill(1, chunk.start, chunk.end);
  });
  for (let i = 0; i < doc.text.length; i++) {
    if (!covered[i] && /\S/u.test(doc.text[i]!)) {
      throw new Error(`character ${i} (${JSON.stringify(doc.text.slice(i, i + 20))}) is in no chunk`);
    }
  }
  for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.start).toBeGreaterThan(chunks[i - 1]!.start);
}

describe('splitSentences', () => {
  const sentences = (text: string) => splitSentences(text).map((s) => text.slice(s.start, s.end));

  it('splits English without breaking at abbreviations, initials or decimals', () => {
    expect(
      sentences('Mr. Smith paid $3.50 at 3 p.m. on Monday! Did he? Yes. Dr. J. Watson agreed, e.g. twice.'),
    ).toEqual([
      'Mr. Smith paid $3.50 at 3 p.m. on Monday!',
      'Did he?',
      'Yes.',
      'Dr. J. Watson agreed, e.g. twice.',
    ]);
  });

  it('splits Chinese and Japanese on 。！？ and keeps closing quotes with their sentence', () => {
    expect(sentences('北京是中国的首都。它有很多历史！你去过吗？他说：“我去过。”然后走了')).toEqual([
      '北京是中国的首都。',
      '它有很多历史！',
      '你去过吗？',
      '他说：“我去过。”',
      '然后走了',
    ]);
    expect(sentences('東京は日本の首都です。「行きましたか？」はい。')).toEqual([
      '東京は日本の首都です。',
      '「行きましたか？」',
      'はい。',
    ]);
  });

  it('makes a markdown heading line a sentence of its own', () => {
    expect(sentences('# Install\nRun the installer. Then start.\n## Usage (v2)\nCall ask().')).toEqual([
      '# Install',
      'Run the installer.',
      'Then start.',
      '## Usage (v2)',
      'Call ask().',
    ]);
  });

  it('ends a sentence at a blank line even without punctuation', () => {
    expect(sentences('A heading\n\nThe body. More')).toEqual(['A heading', 'The body.', 'More']);
  });
});

describe('recursive chunker', () => {
  const doc: Document = { id: 'guide', text: ENGLISH, metadata: { source: 'guide.txt' } };

  it('keeps chunks within size, slices back exactly, loses nothing', () => {
    for (const [chunkSize, chunkOverlap] of [
      [80, 0],
      [120, 30],
      [200, 50],
      [5000, 0],
    ] as const) {
      const chunks = createRecursiveChunker({ chunkSize, chunkOverlap }).chunk(doc);
      expectFaithful(doc, chunks);
      for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(chunkSize);
      expect(chunks[0]!.metadata).toEqual({ source: 'guide.txt' });
      if (chunkSize === 5000) expect(chunks).toHaveLength(1);
    }
  });

  it('prefers paragraph boundaries', () => {
    const chunks = createRecursiveChunker({ chunkSize: 260 }).chunk(doc);
    expect(chunks.map((c) => c.text)).toEqual(ENGLISH.split('\n\n'));
  });

  it('overlaps consecutive chunks by at most chunkOverlap', () => {
    const chunks = createRecursiveChunker({ chunkSize: 100, chunkOverlap: 40 }).chunk(doc);
    let overlapped = 0;
    for (let i = 1; i < chunks.length; i++) {
      const shared = chunks[i - 1]!.end - chunks[i]!.start;
      expect(shared).toBeLessThanOrEqual(40);
      if (shared > 0) overlapped++;
    }
    expect(overlapped).toBeGreaterThan(0);
  });

  it('sizes chunks with a token-count function', () => {
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    const chunks = createRecursiveChunker({ chunkSize: 20, lengthFunction: words }).chunk(doc);
    expectFaithful(doc, chunks);
    for (const c of chunks) expect(words(c.text)).toBeLessThanOrEqual(20);
    expect(chunks.length).toBeGreaterThan(3);
  });

  it('chunks Chinese paragraphs (CMRC 2018) at sentence punctuation', () => {
    const chunker = createRecursiveChunker({ chunkSize: 120, chunkOverlap: 20 });
    let sentenceEnds = 0;
    let total = 0;
    CHINESE_PARAGRAPHS.forEach((text, i) => {
      const d = { id: `cmrc-${i}`, text };
      const chunks = chunker.chunk(d);
      expectFaithful(d, chunks);
      for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(120);
      for (const c of chunks.slice(0, -1)) {
        total++;
        if (/[。！？；，]$/.test(c.text)) sentenceEnds++;
      }
    });
    expect(total).toBeGreaterThan(50);
    expect(sentenceEnds / total).toBeGreaterThan(0.9);
  });

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(50);
    const chunks = createRecursiveChunker({ chunkSize: 9 }).chunk({ id: 'e', text });
    expectFaithful({ id: 'e', text }, chunks);
    for (const c of chunks) expect(c.text).toMatch(/^(😀)+$/u);
  });

  it('rejects bad options and documents with INVALID_ARGUMENT', () => {
    for (const bad of [{ chunkSize: 0 }, { chunkSize: 10, chunkOverlap: 10 }, { chunkSize: 1.5 }]) {
      expect(() => createRecursiveChunker(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
    try {
      createRecursiveChunker().chunk({ id: '', text: 'x' });
      expect.unreachable();
    } catch (error) {
      expect(isRagloomError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('returns no chunks for empty or blank text', () => {
    expect(createRecursiveChunker().chunk({ id: 'x', text: '' })).toEqual([]);
    expect(createRecursiveChunker().chunk({ id: 'x', text: ' \n\n\t ' })).toEqual([]);
  });
});

describe('sentence chunker', () => {
  it('packs whole English sentences', () => {
    const doc = { id: 'guide', text: ENGLISH };
    const chunks = createSentenceChunker({ chunkSize: 160 }).chunk(doc);
    expectFaithful(doc, chunks);
    const sentences = splitSentences(ENGLISH).map((s) => ENGLISH.slice(s.start, s.end));
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(160);
      expect(
        sentences.some((s) => c.text.startsWith(s)),
        `"${c.text}" starts a sentence`,
      ).toBe(true);
      expect(
        sentences.some((s) => c.text.endsWith(s)),
        `"${c.text}" ends a sentence`,
      ).toBe(true);
    }
  });

  it('packs whole Chinese sentences (CMRC 2018) with sentence overlap', () => {
    const chunker = createSentenceChunker({ chunkSize: 150, chunkOverlap: 60 });
    CHINESE_PARAGRAPHS.slice(0, 60).forEach((text, i) => {
      const doc = { id: `cmrc-${i}`, text };
      const chunks = chunker.chunk(doc);
      expectFaithful(doc, chunks);
      const sentences = splitSentences(text);
      for (const c of chunks) {
        // A chunk ends where a sentence ends, unless that sentence alone is longer than chunkSize.
        const within = sentences.find((s) => s.start < c.end && c.end <= s.end)!;
        if (c.end !== within.end)
          expect(within.end - within.start, `"${c.text}" cuts a short sentence`).toBeGreaterThan(150);
      }
    });
  });
});

describe('markdown chunker', () => {
  const MARKDOWN = `Intro text before any heading.

# Guide

Welcome to **ragloom**.

## Install

Run the installer.

\`\`\`sh
# not a heading: a shell comment
npm i ragloom
\`\`\`

### From source

Clone the [repo](https://example.com) and build.

Usage
-----

Call \`ask()\` with a question. ${'It streams the answer with citations. '.repeat(12)}

# 参考 \`API\`

中文的章节也可以。`;
  const doc = { id: 'readme', text: MARKDOWN, metadata: { source: 'README.md' } };

  it('splits by heading and records the heading path', () => {
    const chunks = createMarkdownChunker({ chunkSize: 200 }).chunk(doc);
    expectFaithful(doc, chunks);
    const paths = chunks.map((c) => c.metadata.section);
    expect(paths[0]).toBe('');
    expect(paths).toContain('Guide');
    expect(paths).toContain('Guide > Install');
    expect(paths).toContain('Guide > Install > From source');
    expect(paths).toContain('Guide > Usage');
    expect(paths.at(-1)).toBe('参考 API');
    expect(
      chunks.find((c) => c.metadata.section === 'Guide > Install > From source')!.metadata.headings,
    ).toEqual(['Guide', 'Install', 'From source']);
    expect(chunks.every((c) => c.metadata.source === 'README.md')).toBe(true);
  });

  it('ignores # lines inside code fences and keeps the fence with its section', () => {
    const chunks = createMarkdownChunker({ chunkSize: 1000 }).chunk(doc);
    const install = chunks.find((c) => c.metadata.section === 'Guide > Install')!;
    expect(install.text).toContain('# not a heading: a shell comment');
    expect(chunks.some((c) => String(c.metadata.section).includes('not a heading'))).toBe(false);
  });

  it('splits a long section into several chunks that share its headings', () => {
    const chunks = createMarkdownChunker({ chunkSize: 200 }).chunk(doc);
    const usage = chunks.filter((c) => c.metadata.section === 'Guide > Usage');
    expect(usage.length).toBeGreaterThan(1);
    for (const c of usage) expect(c.text.length).toBeLessThanOrEqual(200);
  });
});
