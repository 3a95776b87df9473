import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectRagloomError } from '@ragloom/conformance';
import { loadModelTokenizer, openModelSource } from '@ragloom/onnx-model';
import { type FakeHub, startFakeHub } from '@ragloom/onnx-model/testing';
import { assetPath } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxReranker, type OnnxReranker } from '../src/index.js';
import { encodePair } from '../src/pair-encoding.js';

const MODEL = assetPath('models', 'tiny-random-cross-encoder');
const QUERY = 'how many people live in berlin?';
const DOCUMENTS = [
  'Berlin has 3.5 million inhabitants.',
  'Paris is in France.',
  'The Berlin Wall fell in 1989, and the city was reunified the following year after decades of division.',
  '柏林的人口大约有三百七十万。',
  'short',
  'People who live in Berlin are called Berliners; around 3.7 million of them, in twelve boroughs.',
  '',
];

let reranker: OnnxReranker;
let scratch: string;
beforeAll(async () => {
  reranker = await createOnnxReranker({ model: MODEL, intraOpNumThreads: 1 });
  scratch = await mkdtemp(join(tmpdir(), 'ragloom-reranker-'));
});
afterAll(async () => {
  await reranker.close();
  await rm(scratch, { recursive: true, force: true });
});

/** A copy of the model folder (in a temp dir) with config.json edited. */
async function modelWithConfig(
  name: string,
  edit: (config: Record<string, unknown>) => void,
): Promise<string> {
  const dir = join(scratch, name);
  await cp(MODEL, dir, { recursive: true });
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  edit(config);
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

describe('onnx reranker', () => {
  it('describes itself from the model', () => {
    expect(reranker.specificationVersion).toBe('v1');
    expect(reranker.provider).toBe('onnx');
    expect(reranker.modelId).toBe('tiny-random-cross-encoder');
    expect(reranker.maxLength).toBe(512);
    // config.json carries sentence-transformers' Identity activation, as the ms-marco exports do.
    expect(reranker.activation).toBe('none');
  });

  it('scores a batch exactly as one pair at a time, whatever the batch size', async () => {
    const single: number[] = [];
    for (const d of DOCUMENTS) single.push((await reranker.score(QUERY, [d]))[0]!);
    const batched = await reranker.score(QUERY, DOCUMENTS);
    const small = await createOnnxReranker({
      model: MODEL,
      maxBatchSize: 2,
      maxBatchTokens: 40,
      intraOpNumThreads: 1,
    });
    try {
      const tiny = await small.score(QUERY, DOCUMENTS);
      DOCUMENTS.forEach((_, i) => {
        expect(Math.abs(batched[i]! - single[i]!)).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(tiny[i]! - single[i]!)).toBeLessThanOrEqual(1e-6);
      });
    } finally {
      await small.close();
    }
    expect(new Set(single).size).toBe(DOCUMENTS.length);
  });

  it('ranks by score (ties by input index) and keeps the top k', async () => {
    const scores = await reranker.score(QUERY, DOCUMENTS);
    const ranked = await reranker.rerank({ query: QUERY, documents: DOCUMENTS });
    expect(ranked.map((r) => r.index)).toEqual(
      DOCUMENTS.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b),
    );
    for (const r of ranked) expect(r.score).toBe(scores[r.index]);
    expect(await reranker.rerank({ query: QUERY, documents: DOCUMENTS, topK: 3 })).toEqual(
      ranked.slice(0, 3),
    );
    const ties = await reranker.rerank({ query: QUERY, documents: ['same text', 'other', 'same text'] });
    const same = ties.filter((r) => r.index !== 1).map((r) => r.index);
    expect(same).toEqual([0, 2]);
  });

  it('encodes pairs with segment ids and truncates the passage first, then the query', async () => {
    const tokenizer = await loadModelTokenizer(openModelSource(MODEL));
    const query = tokenizer.encode(QUERY);
    const pair = encodePair(tokenizer, QUERY, DOCUMENTS[1]!, 512);
    expect(pair.ids.slice(0, query.ids.length)).toEqual(query.ids);
    expect(pair.tokenTypeIds).toEqual([
      ...query.ids.map(() => 0),
      ...pair.ids.slice(query.ids.length).map(() => 1),
    ]);
    // An empty passage still makes a pair, as HF tokenizers do: [CLS] query [SEP] [SEP].
    const empty = encodePair(tokenizer, QUERY, '', 512);
    expect(empty.ids).toEqual([...query.ids, query.ids.at(-1)]);
    expect(empty.tokenTypeIds.at(-1)).toBe(1);

    const long = 'Berlin is a large city with many people. '.repeat(200);
    const cut = encodePair(tokenizer, QUERY, long, 32);
    expect(cut.ids).toHaveLength(32);
    expect(cut.truncated).toBe(true);
    expect(cut.ids.slice(0, query.ids.length)).toEqual(query.ids); // the query is whole
    expect(cut.ids.at(-1)).toBe(query.ids.at(-1)); // and the pair still ends with [SEP]

    const longQuery = `${'where exactly '.repeat(40)}?`;
    const both = encodePair(tokenizer, longQuery, long, 32);
    expect(both.ids).toHaveLength(32);
    expect(both.tokenTypeIds).toContain(1); // the passage keeps some tokens
  });

  it('truncates long passages to maxLength instead of failing', async () => {
    const short = await createOnnxReranker({ model: MODEL, maxLength: 24 });
    try {
      const long = 'Berlin is a large city with many people. '.repeat(5000);
      const [a, b] = await short.score(QUERY, [long, `${long} and then something else entirely`]);
      expect(Number.isFinite(a!)).toBe(true);
      // Both are cut to the same first 24 tokens, so they score the same.
      expect(a).toBe(b);
    } finally {
      await short.close();
    }
    await expectRagloomError(
      () => createOnnxReranker({ model: MODEL, maxLength: 3 }),
      'INVALID_ARGUMENT',
      'createOnnxReranker({ model: MODEL, maxLength: 3 })',
    );
  });

  it('chooses the activation from the model config, or as told', async () => {
    const plain = await modelWithConfig('no-activation', (c) => {
      delete c.sbert_ce_default_activation_function;
    });
    const st4 = await modelWithConfig('st4-identity', (c) => {
      delete c.sbert_ce_default_activation_function;
      c.sentence_transformers = { activation_fn: 'torch.nn.modules.linear.Identity', version: '4.0.0' };
    });
    const sigmoidConfigured = await modelWithConfig('st-sigmoid', (c) => {
      c.sbert_ce_default_activation_function = 'torch.nn.modules.activation.Sigmoid';
    });
    const logits = await reranker.score(QUERY, DOCUMENTS);
    const sigmoid = logits.map((x) => 1 / (1 + Math.exp(-x)));
    for (const [dir, activation, expected] of [
      [plain, 'sigmoid', sigmoid],
      [st4, 'none', logits],
      [sigmoidConfigured, 'sigmoid', sigmoid],
    ] as const) {
      const r = await createOnnxReranker({ model: dir });
      try {
        expect(r.activation).toBe(activation);
        const scores = await r.score(QUERY, DOCUMENTS);
        scores.forEach((s, i) => {
          expect(Math.abs(s - expected[i]!)).toBeLessThanOrEqual(1e-6);
        });
      } finally {
        await r.close();
      }
    }
    const forced = await createOnnxReranker({ model: MODEL, activation: 'sigmoid' });
    expect(forced.activation).toBe('sigmoid');
    await forced.close();
    const tanh = await modelWithConfig('tanh', (c) => {
      c.sbert_ce_default_activation_function = 'torch.nn.modules.activation.Tanh';
    });
    const error = await expectRagloomError(
      () => createOnnxReranker({ model: tanh }),
      'UNSUPPORTED',
      'createOnnxReranker({ model: tanh })',
    );
    expect(error.message).toMatch(/Tanh.*activation: 'sigmoid' or 'none'/);
    await expectRagloomError(
      () => createOnnxReranker({ model: MODEL, activation: 'softmax' as 'none' }),
      'INVALID_CONFIG',
      'an unknown activation',
    );
  });

  it('refuses models it cannot drive, with the reason', async () => {
    const twoLabels = await modelWithConfig('two-labels', (c) => {
      c.id2label = { 0: 'no', 1: 'yes' };
    });
    expect(
      (
        await expectRagloomError(
          () => createOnnxReranker({ model: twoLabels }),
          'UNSUPPORTED',
          'createOnnxReranker({ model: twoLabels })',
        )
      ).message,
    ).toMatch(/2 labels/);
    // An encoder export has no logits output.
    const encoder = await expectRagloomError(
      () => createOnnxReranker({ model: assetPath('models', 'tiny-random-bert') }),
      'MODEL_INVALID',
      'createOnnxReranker({ model: assetPath("models", "tiny-random-bert")...',
    );
    expect(encoder.message).toMatch(/logits/);
    await expectRagloomError(
      () => createOnnxReranker({ model: join(scratch, 'missing-model') }),
      'MODEL_NOT_FOUND',
      'createOnnxReranker({ model: join(scratch, "missing-model") })',
    );
    const noModel = await expectRagloomError(
      () => createOnnxReranker({} as { model: string }),
      'INVALID_CONFIG',
      'createOnnxReranker({} as { model: string })',
    );
    expect(noModel.details).toMatchObject({ component: 'createOnnxReranker', issues: [{ path: 'model' }] });
    for (const bad of [
      { maxBatchSize: 0 },
      { maxBatchTokens: 1.5 },
      { maxLength: -1 },
      { activation: 'softmax' },
    ]) {
      const error = await expectRagloomError(
        () => createOnnxReranker({ model: MODEL, ...bad } as never),
        'INVALID_CONFIG',
        JSON.stringify(bad),
      );
      expect(error.details).toMatchObject({ issues: [{ path: Object.keys(bad)[0] }] });
    }
  });

  it('rejects bad requests and honours abort', async () => {
    await expectRagloomError(
      () => reranker.rerank({ query: QUERY, documents: DOCUMENTS, topK: 1.5 }),
      'INVALID_ARGUMENT',
      'reranker.rerank({ query: QUERY, documents: DOCUMENTS, topK: 1.5 })',
    );
    await expectRagloomError(
      () => reranker.rerank({ query: QUERY, documents: 'text' as unknown as string[] }),
      'INVALID_ARGUMENT',
      'reranker.rerank({ query: QUERY, documents: "text" as unknown as str...',
    );
    await expectRagloomError(
      () => reranker.rerank(undefined as unknown as { query: string; documents: string[] }),
      'INVALID_ARGUMENT',
      'reranker.rerank(undefined as unknown as { query: string; documents:...',
    );
    await expectRagloomError(
      () => reranker.rerank({ query: QUERY, documents: DOCUMENTS, signal: AbortSignal.abort() }),
      'ABORTED',
      'reranker.rerank({ query: QUERY, documents: DOCUMENTS, signal: Abort...',
    );
    // Abort between batches: the call runs up to its first forward pass, then the signal fires; the
    // next batch boundary stops it.
    const small = await createOnnxReranker({ model: MODEL, maxBatchSize: 2 });
    const controller = new AbortController();
    const many = Array.from({ length: 200 }, (_, i) => `passage number ${i} about berlin`);
    const pending = small.score(QUERY, many, { signal: controller.signal });
    controller.abort();
    await expectRagloomError(() => pending, 'ABORTED', 'pending');
    await small.close();
    await expectRagloomError(
      () => small.score(QUERY, ['x']),
      'INVALID_ARGUMENT',
      'small.score(QUERY, ["x"])',
    );
  });
});

describe('onnx reranker from a Hugging Face repo id (served by a local hub stand-in)', () => {
  const REPO = 'ragloom-test/tiny-random-cross-encoder';
  let hub: FakeHub;
  beforeAll(async () => {
    hub = await startFakeHub({ [REPO]: MODEL });
  });
  afterAll(() => hub.close());

  it('downloads into the cache once and scores like the local folder', async () => {
    const cacheDir = join(scratch, 'hub-cache');
    const fromHub = await createOnnxReranker({ model: REPO, endpoint: hub.server.url, cacheDir, env: {} });
    try {
      expect(fromHub.modelId).toBe(REPO);
      expect(await fromHub.score(QUERY, DOCUMENTS)).toEqual(await reranker.score(QUERY, DOCUMENTS));
    } finally {
      await fromHub.close();
    }
    const requests = hub.requests.length;
    const offline = await createOnnxReranker({ model: REPO, cacheDir, offline: true, env: {} });
    await offline.close();
    expect(hub.requests.length).toBe(requests);
  });
});
