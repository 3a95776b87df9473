import { RagloomError } from '@ragloom/core';

export interface PdfText {
  readonly text: string;
  /** Offset in `text` where each page starts (page 1 at index 0). */
  readonly pageStarts: readonly number[];
}

interface TextItemLike {
  readonly str?: string;
  readonly hasEOL?: boolean;
}

/**
 * Extracts the text of a PDF with Mozilla's pdf.js, page by page (pages separated by a blank line), and
 * where each page starts so citations can name the page.
 */
export async function pdfToText(bytes: Uint8Array, source: string): Promise<PdfText> {
  // Loaded on first use: pdf.js is large and most ingests have no PDF.
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let document: Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>;
  try {
    document = await pdfjs.getDocument({
      data: new Uint8Array(bytes), // pdf.js takes ownership of (detaches) the buffer it gets
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: 0,
    }).promise;
  } catch (error) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${source} is not a readable PDF: ${(error as Error).message}`,
      {
        cause: error,
        details: { source },
      },
    );
  }
  try {
    let text = '';
    const pageStarts: number[] = [];
    for (let n = 1; n <= document.numPages; n++) {
      if (n > 1) text += '\n\n';
      pageStarts.push(text.length);
      const page = await document.getPage(n);
      const content = await page.getTextContent();
      let pageText = '';
      for (const item of content.items as TextItemLike[]) {
        if (typeof item.str !== 'string') continue;
        pageText += item.str;
        if (item.hasEOL) pageText += '\n';
      }
      text += pageText.replace(/[ \t]+\n/g, '\n').trimEnd();
      page.cleanup();
    }
    return { text, pageStarts };
  } finally {
    await document.destroy();
  }
}
