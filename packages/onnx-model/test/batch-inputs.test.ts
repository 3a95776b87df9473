import { describe, expect, it } from 'vitest';
import { createBatchBuffers, createBatchFeeds, planBatches } from '../src/index.js';

describe('batch planning and padded feeds', () => {
  it('sorts by length, respects the size and token budgets, and covers every input once', () => {
    const lengths = [5, 50, 7, 48, 6, 200, 3];
    const batches = planBatches(lengths, 2, 120);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(2);
      const width = Math.max(...batch.map((i) => lengths[i]!));
      if (batch.length > 1) expect(width * batch.length).toBeLessThanOrEqual(120);
    }
    // Longest first; the 200-token input exceeds the budget alone and gets its own batch.
    expect(batches[0]).toEqual([5]);
    expect(batches[1]).toEqual([1, 3]);
  });

  it('right-pads ids with the pad id, masks padding, and carries token type ids', () => {
    const feeds = createBatchFeeds(
      [
        { ids: [101, 7, 102, 9, 102], tokenTypeIds: [0, 0, 0, 1, 1], truncated: false },
        { ids: [101, 8, 102], tokenTypeIds: [0, 0, 0], truncated: false },
      ],
      { padTokenId: 0, tokenTypeIds: true },
    );
    expect(feeds.width).toBe(5);
    expect(feeds.input_ids.dims).toEqual([2, 5]);
    expect(Array.from(feeds.input_ids.data as BigInt64Array, Number)).toEqual([
      101, 7, 102, 9, 102, 101, 8, 102, 0, 0,
    ]);
    expect(Array.from(feeds.attention_mask.data as BigInt64Array, Number)).toEqual([
      1, 1, 1, 1, 1, 1, 1, 1, 0, 0,
    ]);
    expect(Array.from(feeds.token_type_ids!.data as BigInt64Array, Number)).toEqual([
      0, 0, 0, 1, 1, 0, 0, 0, 0, 0,
    ]);
    expect(
      createBatchFeeds([{ ids: [1], tokenTypeIds: [0], truncated: false }], {
        padTokenId: 0,
        tokenTypeIds: false,
      }).token_type_ids,
    ).toBeUndefined();
  });

  it('reuses scratch buffers across batches without leaking the previous batch', () => {
    const buffers = createBatchBuffers(4);
    const first = createBatchFeeds(
      [
        { ids: [101, 5, 6, 102], tokenTypeIds: [0, 0, 1, 1], truncated: false },
        { ids: [101, 7, 8, 102], tokenTypeIds: [0, 0, 1, 1], truncated: false },
      ],
      { padTokenId: 0, tokenTypeIds: true, buffers },
    );
    expect(buffers.ids.length).toBeGreaterThanOrEqual(8); // grown
    expect(Array.from(first.input_ids.data as BigInt64Array, Number)).toEqual([
      101, 5, 6, 102, 101, 7, 8, 102,
    ]);
    const second = createBatchFeeds(
      [
        { ids: [101, 9, 102], tokenTypeIds: [0, 0, 0], truncated: false },
        { ids: [101, 102], tokenTypeIds: [0, 0], truncated: false },
      ],
      { padTokenId: 0, tokenTypeIds: true, buffers },
    );
    expect((second.input_ids.data as BigInt64Array).buffer).toBe(buffers.ids.buffer);
    expect(Array.from(second.input_ids.data as BigInt64Array, Number)).toEqual([101, 9, 102, 101, 102, 0]);
    expect(Array.from(second.attention_mask.data as BigInt64Array, Number)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(Array.from(second.token_type_ids!.data as BigInt64Array, Number)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
