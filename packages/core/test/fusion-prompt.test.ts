import { describe, expect, it } from 'vitest';
import {
  buildRagPrompt,
  copyRecords,
  createMemoryVectorRetriever,
  createStopSequenceMatcher,
  isRagloomError,
  parseCitations,
  reciprocalRankFusion,
  type SearchHit,
  stripCitations,
  weightedScoreFusion,
} from '../src/index.js';

const hit = (id: string, score: number): SearchHit => ({ id, score, text: id, metadata: {} });

describe('fusion', () => {
  const a = [hit('x', 9), hit('y', 5), hit('z', 1)];
  const b = [hit('y', 0.9), hit('w', 0.8)];

  it('RRF sums 1/(k + rank) per list (hand-computed, k = 60)', () => {
    const fused = reciprocalRankFusion([a, b]);
    const score = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    expect(score.y).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(score.x).toBeCloseTo(1 / 61, 12);
    expect(score.w).toBeCloseTo(1 / 62, 12);
    expect(score.z).toBeCloseTo(1 / 63, 12);
    expect(fused.map((h) => h.id)).toEqual(['y', 'x', 'w', 'z']);
    expect(fused[0]!.sources).toEqual([
      { list: 0, rank: 2, score: 5 },
      { list: 1, rank: 1, score: 0.9 },
    ]);
  });

  it('RRF honours weights, k and limit', () => {
    const fused = reciprocalRankFusion([a, b], { weights: [3, 1], k: 0, limit: 2 });
    expect(fused.map((h) => [h.id, h.score])).toEqual([
      ['x', 3],
      ['y', 1.5 + 1],
    ]);
  });

  it('weighted fusion min-max normalises each list', () => {
    const fused = weightedScoreFusion([a, b], { weights: [1, 2] });
    const score = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    expect(score.x).toBeCloseTo(1, 12);
    expect(score.y).toBeCloseTo(0.5 + 2 * 1, 12);
    expect(score.w).toBeCloseTo(0, 12);
    expect(score.z).toBeCloseTo(0, 12);
    expect(fused[0]!.id).toBe('y');
  });

  it('rejects a weight per list mismatch', () => {
    expect(() => reciprocalRankFusion([a, b], { weights: [1] })).toThrow(
      /one finite, non-negative weight per list/,
    );
  });
});

describe('prompt and citations', () => {
  it('numbers passages from 1 and keeps chat history before the question', () => {
    const messages = buildRagPrompt({
      question: ' Who? ',
      passages: [{ text: 'Alpha.', source: 'a.md' }, { text: 'Beta.' }],
      history: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
    });
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[0]!.content).toMatch(/\[1\]/);
    expect(messages[3]!.content).toBe(
      'Context passages:\n\n[1] (source: a.md)\nAlpha.\n\n[2]\nBeta.\n\nQuestion: Who?',
    );
  });

  it('strips citation markers for judging or display', () => {
    expect(stripCitations('Berlin has 3.7M people [1][2]. Paris 【3】 is in France [1, 2].')).toBe(
      'Berlin has 3.7M people. Paris is in France.',
    );
  });

  it('parses the citation styles models write', () => {
    expect(parseCitations('A [2]. B [1][3]. C [2, 4]. D 【5】 E [1-3] F [7]', 5)).toEqual([2, 1, 3, 4, 5]);
    expect(parseCitations('第一点【1】，第二点［2］和[3、4]。', 4)).toEqual([1, 2, 3, 4]);
    expect(parseCitations('no citations, [a], [0], array[10]', 5)).toEqual([]);
  });
});

describe('stop sequence matcher', () => {
  it('never emits a stop sequence split across deltas', () => {
    const m = createStopSequenceMatcher(['</s>', 'END']);
    const out: string[] = [];
    for (const d of ['Hello <', '/', 's> world']) {
      const r = m.push(d);
      out.push(r.text);
      if (r.stopped) break;
    }
    expect(out.join('')).toBe('Hello ');
  });

  it('releases a held-back partial match when it turns out not to be one', () => {
    const m = createStopSequenceMatcher(['END']);
    expect(m.push('the EN').text).toBe('the ');
    expect(m.push('D').stopped).toBe(true);
    const n = createStopSequenceMatcher(['END']);
    expect(n.push('the EN').text + n.push('ds').text + n.flush()).toBe('the ENds');
  });
});

describe('copyRecords', () => {
  it('moves every record between indexes with the same manifest', async () => {
    const source = createMemoryVectorRetriever({ dimension: 3, encoderModelId: 'm' });
    const target = createMemoryVectorRetriever({ dimension: 3, encoderModelId: 'm' });
    await source.upsert(
      Array.from({ length: 25 }, (_, i) => ({
        id: `r${i}`,
        text: `t${i}`,
        metadata: { i },
        vector: [i, 1, 0],
      })),
    );
    const progress: number[] = [];
    const { copied } = await copyRecords(source, target, {
      batchSize: 10,
      onProgress: (e) => progress.push(e.completed),
    });
    expect(copied).toBe(25);
    expect(progress).toEqual([0, 10, 20, 25]);
    expect(await target.count({ i: { $gte: 20 } })).toBe(5);
    const [top] = await target.search({ vector: [24, 1, 0], k: 1 });
    expect(top!.id).toBe('r24');
  });

  it('refuses to mix vectors of different encoders', async () => {
    const source = createMemoryVectorRetriever({ dimension: 3, encoderModelId: 'a' });
    const target = createMemoryVectorRetriever({ dimension: 3, encoderModelId: 'b' });
    await expect(copyRecords(source, target)).rejects.toSatisfy((e) =>
      isRagloomError(e, 'MANIFEST_MISMATCH'),
    );
  });
});
