import { RagloomError } from '@ragloom/core';
import { type HtmlText, htmlToText } from './html-to-text.js';

// Block-level closing tags in mammoth's HTML; each ends one paragraph of the document.
const BLOCK_END = /(<\/(?:p|h[1-6]|li|tr|caption)>)/g;

/**
 * Reads a Word document with mammoth (paragraph styles → headings, lists, tables) as readable text.
 * mammoth's HTML goes through the HTML loader's rules with one paragraph per line, so `lineAt` gives the
 * 1-based paragraph of the document, which citations name (`report.docx ¶12`).
 */
export async function docxToText(bytes: Uint8Array, source: string): Promise<HtmlText> {
  // Loaded on first use, as pdf.js: most ingests have no Word files.
  const mammoth = (await import('mammoth')).default;
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      // A document never makes ingest read other files (linked images).
      { externalFileAccess: false },
    );
    html = result.value;
  } catch (error) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${source} is not a readable DOCX file: ${(error as Error).message}`,
      {
        cause: error,
        details: { source },
      },
    );
  }
  return htmlToText(html.replace(BLOCK_END, '$1\n'), { dropMenus: false });
}
