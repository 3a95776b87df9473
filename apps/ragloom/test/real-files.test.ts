import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Chunk, createMarkdownChunker, extractiveAnswer, type RetrievedPassage } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { createLocatedChunker } from '../src/ingest/located-chunker.js';
import { loadDocumentFile } from '../src/loaders/load-document-file.js';
import type { LoadedDocument } from '../src/loaders/loaded-document.js';
import { locateCitation } from '../src/runtime/source-location.js';
import { BM25_CONFIG, makeProject, runCli } from './helpers/project.js';

// Real files from Debian's doc packages; see fixtures/real/README.md.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'real', name));

async function loadOne(name: string): Promise<LoadedDocument> {
  const { documents } = await loadDocumentFile(new Uint8Array(fixture(name)), name);
  expect(documents).toHaveLength(1);
  return documents[0]!;
}

/** Chunks as ingest does (the default markdown chunker wrapped in the located chunker). */
async function chunksOf(loaded: LoadedDocument, chunkSize = 1000): Promise<Chunk[]> {
  const chunker = createLocatedChunker(createMarkdownChunker({ chunkSize, chunkOverlap: 100 }), () => loaded);
  return chunker.chunk(loaded.document);
}

const asPassage = (chunk: Chunk): RetrievedPassage => ({
  id: chunk.id,
  documentId: chunk.documentId,
  score: 1,
  text: chunk.text,
  start: chunk.start,
  end: chunk.end,
  metadata: chunk.metadata,
});

/** The 1-based lines of `source` holding `needle`. */
const linesWith = (source: string, needle: string) =>
  source.split('\n').flatMap((line, i) => (line.includes(needle) ? [i + 1] : []));

describe('HTML loader on a real Sphinx page (Python 3.11 pickle docs)', () => {
  const html = fixture('python-3.11-pickle.html').toString('utf8');

  it('keeps the main content and drops navigation, sidebars, search and ¶ marks', async () => {
    const { document } = await loadOne('python-3.11-pickle.html');
    expect(document.metadata).toMatchObject({
      title: 'pickle — Python object serialization — Python 3.11.2 documentation',
    });
    expect(document.text.startsWith('# pickle — Python object serialization\n')).toBe(true);
    expect(document.text).toContain('## Data stream format');
    expect(document.text).toContain('Changed in version 3.8: The default protocol is 4.');
    expect(document.text).not.toContain('¶');
    // Sphinx's sidebar, related bars and search box: present in the file, absent from the text.
    for (const furniture of ['Previous topic', 'Quick search', 'Report a Bug', 'Show Source', 'Navigation']) {
      expect(html).toContain(furniture);
      expect(document.text, furniture).not.toContain(furniture);
    }
    // The page's title appears once (no second copy from the header bar or sidebar).
    expect(document.text.match(/pickle — Python object serialization/g)).toHaveLength(1);
  });

  it('answers the default protocol from the prose, not from API titles or version notes', async () => {
    const dir = makeProject({ 'docs/pickle.html': fixture('python-3.11-pickle.html') }, BM25_CONFIG);
    expect((await runCli(['ingest', 'docs'], { cwd: dir })).code).toBe(0);
    const asked = await runCli(['ask', 'What is the default pickle protocol?', '--json'], { cwd: dir });
    expect(asked.code, asked.stderr).toBe(0);
    const { answer } = JSON.parse(asked.stdout) as { answer: string };
    expect(answer).toContain('Currently the default protocol is 4');
    // Sphinx prints each constant's name as a title line (`pickle.DEFAULT_PROTOCOL`): code, not an answer.
    expect(answer).not.toMatch(/pickle\.(DEFAULT|HIGHEST)_PROTOCOL/);
    expect(answer).not.toContain('Changed in version');
  });

  it('keeps the space before an inline tag at a line break (no "toPickler")', async () => {
    const { document } = await loadOne('python-3.11-pickle.html');
    expect(html).toMatch(/argument to\n<a class="reference internal" href="#pickle.Pickler"/);
    expect(document.text).toContain('argument to Pickler (or to the dump() or dumps() function)');
    expect(document.text).not.toMatch(/toPickler|insertscopies/);
  });

  it('cites the quoted sentence by its own line of the HTML file', async () => {
    const loaded = await loadOne('python-3.11-pickle.html');
    const chunks = await chunksOf(loaded);
    const chunk = chunks.find((c) => c.text.includes('Changed in version 3.8: The default protocol is 4.'))!;
    expect(chunk).toBeDefined();
    const passage = asPassage(chunk);
    const { citations } = extractiveAnswer('In which version did the default protocol change to 4?', [
      passage,
    ]);
    const cited = citations.find((c) => c.text.includes('The default protocol is 4'))!;
    expect(cited).toBeDefined();
    const where = locateCitation(cited, passage);
    expect(linesWith(html, 'Changed in version 3.8: </span>The default protocol is 4.')).toEqual([
      where.line,
    ]);
    expect(where.endLine).toBe(where.line);
    expect(where.label).toBe(`python-3.11-pickle.html:${where.line}`);
    // The chunk itself spans more lines: the citation is not the chunk's range.
    expect(chunk.metadata.endLine).toBeGreaterThan(chunk.metadata.line as number);
  });

  it('gives every chunk line marks that agree with the loader at every offset', async () => {
    const loaded = await loadOne('python-3.11-pickle.html');
    for (const chunk of (await chunksOf(loaded)).slice(0, 10)) {
      const marks = chunk.metadata.lineMarks as number[];
      for (let offset = chunk.start; offset < chunk.end; offset += 37) {
        const citation = {
          number: 1,
          chunkId: chunk.id,
          documentId: chunk.documentId,
          start: offset,
          end: offset + 1,
        };
        const where = locateCitation({ ...citation, text: 'x', metadata: chunk.metadata }, asPassage(chunk));
        expect(where.line, `${chunk.id}@${offset}`).toBe(loaded.lineAt(offset));
      }
      expect(marks[0]).toBe(0);
    }
  });
});

describe('HTML loader on a real docs site page (Node.js 18 path docs)', () => {
  const html = fixture('nodejs-18-path.html').toString('utf8');

  it('drops the header bar, the module menu, the table of contents and the # marks', async () => {
    const { document } = await loadOne('nodejs-18-path.html');
    expect(document.text).toContain('## Path');
    expect(document.text).toContain('The path.basename() method returns the last portion of a path');
    for (const menuEntry of ['Worker threads', 'Assertion testing', 'Toggle dark mode']) {
      expect(html).toContain(menuEntry);
      expect(document.text, menuEntry).not.toContain(menuEntry);
    }
    expect(document.text).not.toContain('Node.js v18.20.4 documentation');
    expect(document.text).not.toMatch(/^#+ .*#$/m);
    // Headings appear once each: the table of contents that repeats them is gone.
    expect(document.text.match(/path\.basename\(path\[, suffix\]\)/g)).toHaveLength(1);
  });
});

describe('PDF citations on a real multi-page PDF (shared-mime-info spec, 17 pages)', () => {
  it('cites the page a quoted sentence is on, also when its chunk starts on the page before', async () => {
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const pdf = await pdfjs.getDocument({
      data: new Uint8Array(fixture('shared-mime-info-spec.pdf')),
      verbosity: 0,
    }).promise;
    expect(pdf.numPages).toBe(17);
    // Each page's text straight from pdf.js, to check the loader's page of a sentence against.
    const pageTexts: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      pageTexts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
    }
    await pdf.destroy();

    const loaded = await loadOne('shared-mime-info-spec.pdf');
    const chunks = await chunksOf(loaded, 1500);
    const spanning = chunks.filter((c) => (c.metadata.pageMarks as number[]).length > 2);
    expect(spanning.length).toBeGreaterThan(3);
    let checked = 0;
    for (const chunk of spanning) {
      const marks = chunk.metadata.pageMarks as number[];
      // A sentence from the chunk's later page: take the first full line after the page break.
      const breakAt = marks[2]!;
      const after = chunk.text
        .slice(breakAt)
        .split('\n')
        .find((l) => l.trim().length > 30);
      if (!after) continue;
      const start = chunk.start + chunk.text.indexOf(after, breakAt);
      const citation = {
        number: 1,
        chunkId: chunk.id,
        documentId: chunk.documentId,
        start,
        end: start + after.length,
        text: after,
        metadata: chunk.metadata,
      };
      const where = locateCitation(citation, asPassage(chunk));
      expect(where.page).toBe(marks[3]);
      expect(where.page).toBeGreaterThan(chunk.metadata.page as number);
      const compact = (s: string) => s.replace(/\s+/g, '');
      expect(compact(pageTexts[where.page! - 1]!), after).toContain(compact(after));
      expect(where.label).toBe(`shared-mime-info-spec.pdf p.${where.page}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });
});

describe('DOCX loader (mammoth) on real Word files', () => {
  it('reads headings, paragraphs and lists of a pandoc-written DOCX, and cites the paragraph', async () => {
    const loaded = await loadOne('widgetron-guide.docx');
    const { text } = loaded.document;
    expect(loaded.document.metadata).toMatchObject({ type: 'docx', source: 'widgetron-guide.docx' });
    expect(text.startsWith('# Installing Widgetron\n\nWidgetron runs on Linux')).toBe(true);
    expect(text).toContain('\n\n## Configuring the port\n\n');
    expect(text).toContain('\n\n### Troubleshooting\n\n');
    expect(text).toContain('- The admin console uses the same port.\n- Metrics are served under /metrics.');
    // Paragraphs in order of the markdown it was written from (headings and list items count).
    const paragraphs = fixture('widgetron-guide.md')
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const listens = paragraphs.findIndex((p) => p.startsWith('The server listens')) + 1;
    expect(loaded.lineAt(text.indexOf('The server listens'))).toBe(listens);

    const chunk = (await chunksOf(loaded)).find((c) => c.text.includes('8787'))!;
    const passage = asPassage(chunk);
    const { citations } = extractiveAnswer('Which port does the server listen on by default?', [passage]);
    const cited = citations.find((c) => c.text.includes('8787'))!;
    expect(locateCitation(cited, passage).label).toBe(`widgetron-guide.docx ¶${listens}`);
  });

  it('reads the cells of a Word-written table', async () => {
    const { document } = await loadOne('mammoth-tables.docx');
    expect(document.text.split(/\n+/)).toEqual([
      'Above',
      'Top left',
      'Top right',
      'Bottom left',
      'Bottom right',
      'Below',
    ]);
  });

  it('refuses a file that is not a DOCX, and a broken zip, with the reason', async () => {
    for (const bytes of [
      new TextEncoder().encode('just text'),
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]),
    ]) {
      const error = await loadDocumentFile(bytes, 'bad.docx').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(String((error as Error).message)).toMatch(
        /bad\.docx.*(not a DOCX file|not a readable DOCX file)/,
      );
    }
  });
});
