import { extractiveAnswer, type RetrievedPassage } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../src/cli/progress-bar.js';
import { locateCitation, locatePassage } from '../src/runtime/source-location.js';

const source = 'Line one.\nLine two is about ports.\nThe port is 8787.\nLine four.\n';

function passage(start: number, end: number): RetrievedPassage {
  return {
    id: 'doc#0',
    documentId: 'doc',
    score: 1,
    text: source.slice(start, end),
    start,
    end,
    metadata: { source: 'docs/doc.md', type: 'markdown', line: 2, endLine: 4, start, end },
  };
}

describe('citations to file and line', () => {
  it('points a chunk at its recorded lines', () => {
    expect(locatePassage(passage(10, source.length)).label).toBe('docs/doc.md:2-4');
  });

  it('points an extractive citation at the exact line of the quoted sentence', () => {
    const p = passage(10, source.length);
    const { citations } = extractiveAnswer('what is the port number 8787', [p]);
    const cited = citations.find((c) => c.text.includes('8787'))!;
    const where = locateCitation(cited, p);
    expect(where).toMatchObject({ source: 'docs/doc.md', line: 3, endLine: 3, label: 'docs/doc.md:3' });
    expect(source.split('\n')[where.line! - 1]).toContain(cited.text);
  });

  it('names the page for PDFs', () => {
    const p = { ...passage(0, 8), metadata: { source: 'a.pdf', type: 'pdf', line: 1, page: 3 } };
    expect(locatePassage(p).label).toBe('a.pdf p.3');
  });

  it('formats ETAs', () => {
    expect(formatDuration(5.4)).toBe('5s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3 * 3600 + 60)).toBe('3h01m');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--');
  });
});

/** A non-TTY stream that keeps what is written. */
function captureStream() {
  let out = '';
  const stream = {
    write(s: string) {
      out += s;
      return true;
    },
    isTTY: false,
  } as unknown as NodeJS.WritableStream;
  return { stream, output: () => out };
}

describe('progress bar', () => {
  it('prints rate and ETA on a non-interactive stream', async () => {
    const { createProgressBar } = await import('../src/cli/progress-bar.js');
    let now = 0;
    const { stream, output } = captureStream();
    const bar = createProgressBar({ title: 'ingest', unit: 'docs', stream, logEveryMs: 0, now: () => now });
    for (let i = 1; i <= 10; i++) {
      now = i * 500;
      bar.update(i * 10, 200);
    }
    bar.done('finished');
    const lines = output().trim().split('\n');
    expect(lines.at(-2)).toBe('ingest ████████████░░░░░░░░░░░░ 100/200 docs · 20.0 docs/s · ETA 5s');
    expect(lines.at(-1)).toBe('finished (5s)');
  });

  it('stops with the count and detail it last had, even updates it did not print', async () => {
    const { createProgressBar } = await import('../src/cli/progress-bar.js');
    let now = 0;
    const { stream, output } = captureStream();
    // A line every 2 s: the updates in between are held, not printed.
    const bar = createProgressBar({ title: 'ingest', unit: 'docs', stream, now: () => now });
    now = 2500;
    bar.update(40, 300, '12 chunks · a.md');
    now = 3000;
    bar.update(57, 300, '19 chunks · b.md');
    bar.stop('interrupted at');
    const lines = output().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('40/300 docs');
    expect(lines[1]).toBe('interrupted at 57/300 docs · 19 chunks · b.md (3s)');
  });

  it('keeps the ETA steady through a stall and a burst', async () => {
    const { createProgressBar } = await import('../src/cli/progress-bar.js');
    let now = 0;
    const { stream, output } = captureStream();
    const bar = createProgressBar({ title: 'ingest', unit: 'pages', stream, logEveryMs: 0, now: () => now });
    // 100 pages in 10 s at a steady 10 pages/s, except one page that takes 2 s (pages 40-41).
    let page = 0;
    for (let t = 0; t <= 11_000; t += 250) {
      now = t;
      const stalled = t >= 4000 && t < 6000;
      if (!stalled && page < 100) page = Math.min(100, page + 2.5);
      bar.update(Math.floor(page), 100);
    }
    const etas = [...output().matchAll(/ETA (\d+)s/g)].map((m) => Number(m[1]));
    expect(etas.length).toBeGreaterThan(20);
    // The true remaining time is never more than 9 s; a rate that drops to 0 in the stall would say minutes.
    expect(Math.max(...etas)).toBeLessThanOrEqual(12);
    expect(output()).not.toMatch(/ETA \d+m/);
  });
});
