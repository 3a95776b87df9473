import { isAbortError, isRagloomError } from '@ragloom/core';
import { assetPath, rejectionOf } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import {
  createBatchBuffers,
  createBatchFeeds,
  loadOnnxModel,
  planBatches,
  runForwardPass,
  runInBatches,
  type TokenizedText,
} from '../src/index.js';

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

describe('runInBatches and runForwardPass', () => {
  const inputs: TokenizedText[] = [5, 50, 7, 48, 6, 200, 3].map((n, i) => ({
    ids: Array.from({ length: n }, (_, j) => i * 1000 + j),
    tokenTypeIds: new Array<number>(n).fill(0),
    truncated: false,
  }));
  const limits = { maxBatchSize: 2, maxBatchTokens: 120 };
  /** A fake forward pass: each input's result is its first id (its index · 1000) plus its length. */
  const lengthsOf = async (batch: TokenizedText[]) => batch.map((e) => e.ids[0]! + e.ids.length);

  it('runs the planned batches and returns one result per input, in input order', async () => {
    const seen: number[][] = [];
    const results = await runInBatches(
      inputs,
      limits,
      async (batch) => {
        seen.push(batch.map((e) => e.ids[0]! / 1000));
        return lengthsOf(batch);
      },
      { stage: 'embedding' },
    );
    expect(results).toEqual(inputs.map((e, i) => i * 1000 + e.ids.length));
    expect(seen).toEqual(
      planBatches(
        inputs.map((e) => e.ids.length),
        2,
        120,
      ),
    );
  });

  it('gives the same results concurrently as one call at a time', async () => {
    const sequential = [];
    for (let k = 0; k < 4; k++)
      sequential.push(await runInBatches(inputs, limits, lengthsOf, { stage: 'x' }));
    const concurrent = await Promise.all(
      Array.from({ length: 4 }, () => runInBatches(inputs, limits, lengthsOf, { stage: 'x' })),
    );
    expect(concurrent).toEqual(sequential);
  });

  it('stops before the next forward pass once the signal aborts', async () => {
    const controller = new AbortController();
    let passes = 0;
    const run = runInBatches(
      inputs,
      limits,
      async (batch) => {
        passes++;
        controller.abort();
        return lengthsOf(batch);
      },
      { signal: controller.signal, stage: 'reranking' },
    );
    expect(isAbortError(await rejectionOf(run))).toBe(true);
    expect(passes).toBe(1);
  });

  it('runForwardPass returns the named output as float32, and maps a failing run to MODEL_INVALID', async () => {
    const model = await loadOnnxModel(assetPath('models', 'tiny-random-bert'));
    try {
      const batch = [
        { ids: [101, 7, 8, 102], tokenTypeIds: [0, 0, 0, 0], truncated: false },
        { ids: [101, 9, 102], tokenTypeIds: [0, 0, 0], truncated: false },
      ];
      const { width, ...feeds } = createBatchFeeds(batch, { padTokenId: 0, tokenTypeIds: true });
      const output = model.graph.outputs[0]!.name;
      const pass = { modelPath: model.modelPath, size: 2, width };
      const { data, dims } = await runForwardPass(model.session, feeds, output, pass);
      expect(data).toBeInstanceOf(Float32Array);
      expect(dims.slice(0, 2)).toEqual([2, width]);
      expect(data.length).toBe(dims.reduce((a, b) => a * b, 1));

      // Without token_type_ids, which the graph declares, onnxruntime refuses the feeds.
      const { token_type_ids: _, ...missing } = feeds;
      const error = await rejectionOf(runForwardPass(model.session, missing, output, pass));
      expect(isRagloomError(error, 'MODEL_INVALID')).toBe(true);
      expect(error.message).toContain(model.modelPath);
      expect(error.details).toEqual({ path: model.modelPath, batch: 2, width });
    } finally {
      await model.close();
    }
  });
});
