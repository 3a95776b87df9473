import { describe, expect, it } from 'vitest';
import { DOCUMENTS, runQuickstart } from '../src/quickstart.js';

describe('quickstart example', () => {
  it('answers each question with citations that point at the quoted source text', async () => {
    const lines: string[] = [];
    const results = await runQuickstart(
      ['How does hybrid search fuse ranked lists?', '引用会指向哪里？'],
      (l) => lines.push(l),
    );
    expect(results[0]!.answer).toContain('reciprocal rank fusion');
    expect(results[1]!.answer).toContain('引用会指向原文中的位置。');
    for (const result of results) {
      expect(result.citations.length).toBeGreaterThan(0);
      for (const c of result.citations) {
        const doc = DOCUMENTS.find((d) => d.id === c.documentId)!;
        expect(doc.text.slice(c.start, c.end)).toBe(c.text);
      }
    }
    expect(lines[0]).toMatch(/^Indexed 3 documents as \d+ chunks/);
  });
});
