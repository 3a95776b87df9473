import { isRagloomError } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { loadDocumentFile } from '../src/loaders/load-document-file.js';
import { makePdf } from './helpers/make-pdf.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('document loaders', () => {
  it('reads markdown as it is, with its title and exact source lines', async () => {
    const text = '# Guide\n\nfirst line\r\nsecond line\n';
    const { documents } = await loadDocumentFile(utf8(text), 'docs/guide.md');
    const [doc] = documents;
    expect(doc!.document).toMatchObject({
      id: 'docs/guide.md',
      metadata: { source: 'docs/guide.md', type: 'markdown', title: 'Guide' },
    });
    expect(doc!.document.text).toBe('# Guide\n\nfirst line\nsecond line\n');
    expect(doc!.lineAt(doc!.document.text.indexOf('second'))).toBe(4);
  });

  it('turns HTML into readable text and maps offsets back to the lines of the HTML file', async () => {
    const html = [
      '<!doctype html>',
      '<html><head><title>Page  title</title><style>p { color: red }</style></head>',
      '<body>',
      '<h1>Heading</h1>',
      '<p>First &amp; foremost',
      '   spread over lines.</p>',
      '<script>var hidden = 1;</script>',
      '<ul><li>item one</li>',
      '<li>item two</li></ul>',
      '</body></html>',
    ].join('\n');
    const { documents } = await loadDocumentFile(utf8(html), 'page.html');
    const doc = documents[0]!;
    expect(doc.document.metadata).toMatchObject({ title: 'Page title', type: 'html' });
    expect(doc.document.text).toBe(
      '# Heading\n\nFirst & foremost spread over lines.\n\n- item one\n- item two',
    );
    const at = (needle: string) => doc.lineAt(doc.document.text.indexOf(needle));
    expect(at('Heading')).toBe(4);
    expect(at('First')).toBe(5);
    expect(at('spread')).toBe(6);
    expect(at('item two')).toBe(9);
    expect(doc.document.text).not.toContain('hidden');
  });

  it('reads PDFs page by page with pdf.js and knows the page of every offset', async () => {
    const pdf = makePdf([['Hello PDF world.', 'Second line (with parens).'], ['Page two talks about 8787.']]);
    const { documents } = await loadDocumentFile(pdf, 'paper.pdf');
    const doc = documents[0]!;
    expect(doc.document.text).toContain('Hello PDF world.');
    expect(doc.document.text).toContain('Second line (with parens).');
    expect(doc.pageAt!(doc.document.text.indexOf('Hello'))).toBe(1);
    expect(doc.pageAt!(doc.document.text.indexOf('Page two'))).toBe(2);
  });

  it('reads one document per JSONL line and warns about lines it cannot use', async () => {
    const jsonl = [
      '{"_id": "d1", "title": "First", "text": "alpha text", "metadata": {"lang": "en", "nested": {"x": 1}}}',
      'not json',
      '{"id": 2, "contents": "beta text"}',
      '{"id": "d3"}',
      '',
      '{"text": "no id here"}',
    ].join('\n');
    const { documents, warnings } = await loadDocumentFile(utf8(jsonl), 'data/faq.jsonl');
    expect(documents.map((d) => d.document.id)).toEqual([
      'data/faq.jsonl#d1',
      'data/faq.jsonl#2',
      'data/faq.jsonl#L6',
    ]);
    expect(documents[0]!.document.text).toBe('First\n\nalpha text');
    expect(documents[0]!.document.metadata).toEqual({
      lang: 'en',
      source: 'data/faq.jsonl',
      type: 'jsonl',
      recordId: 'd1',
      title: 'First',
    });
    expect(documents.map((d) => d.lineAt(0))).toEqual([1, 3, 6]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('data/faq.jsonl:2');
    expect(warnings[1]).toContain('data/faq.jsonl:4: no "text"');
  });

  it('refuses binary and non-UTF-8 files and fake PDFs with the reason', async () => {
    const cases: [Uint8Array, string, string][] = [
      [new Uint8Array([0x68, 0x69, 0x00, 0x01]), 'a.txt', 'binary'],
      [new Uint8Array([0x68, 0xff, 0xfe, 0x69]), 'b.md', 'not valid UTF-8'],
      [utf8('just text'), 'c.pdf', 'not a PDF'],
    ];
    for (const [bytes, name, reason] of cases) {
      const error = await loadDocumentFile(bytes, name).catch((e) => e);
      expect(isRagloomError(error, 'INVALID_ARGUMENT'), name).toBe(true);
      expect(String(error.message)).toContain(reason);
    }
  });
});
