import type { EmbedRequest, EncoderV1 } from '@ragloom/core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { sequentialThenConcurrent, settle } from '../shared/concurrency.js';
import { conformanceTest, type SkipMap } from '../shared/conformance-test.js';
import { expectRagloomError } from '../shared/expect-ragloom-error.js';

export const ENCODER_CONFORMANCE_TESTS = [
  'metadata',
  'dimension',
  'normalization',
  'batch-equals-single',
  'order-preserved',
  'deterministic',
  'query-and-document',
  'empty-batch',
  'empty-string',
  'long-input',
  'cjk-and-emoji',
  'invalid-input',
  'abort',
  'concurrent-equals-sequential',
  'concurrent-abort-isolated',
] as const;

export type EncoderConformanceTest = (typeof ENCODER_CONFORMANCE_TESTS)[number];

export interface EncoderConformanceOptions {
  readonly name: string;
  /** Called once for the suite; `close()` is called after it. */
  readonly create: () => EncoderV1 | Promise<EncoderV1>;
  /** Max abs difference allowed between a batched and a one-by-one embedding (default 1e-4). */
  readonly tolerance?: number;
  /** Length of the 'long-input' text in characters (default 20,000). */
  readonly longInputChars?: number;
  readonly skip?: SkipMap<EncoderConformanceTest>;
  readonly timeout?: number;
  readonly additionalTests?: (getEncoder: () => EncoderV1) => void;
}

const PARAGRAPH =
  'Dense retrieval embeds queries and passages into one vector space, so that nearest neighbours ' +
  'are relevant passages; a reranker then reads each pair closely. ';

/**
 * Requests of every shape a service sends at once: single texts (the common case, one per incoming
 * query), batches, a batch larger than maxBatchSize, a long text, queries and documents mixed.
 */
function concurrencyRequests(maxBatchSize: number): EmbedRequest[] {
  const many = Array.from(
    { length: Math.min(40, 2 * maxBatchSize + 1) },
    (_, i) => `${TEXTS[i % TEXTS.length]} (${i})`,
  );
  return [
    ...TEXTS.map(
      (text, i): EmbedRequest => ({ texts: [text], inputType: i % 2 === 0 ? 'document' : 'query' }),
    ),
    { texts: TEXTS, inputType: 'document' },
    { texts: TEXTS.slice(1, 4), inputType: 'query' },
    { texts: many, inputType: 'document' },
    { texts: [PARAGRAPH.repeat(12)], inputType: 'query' },
    { texts: [TEXTS[0]!], inputType: 'query' },
    { texts: [TEXTS[3]!, TEXTS[0]!], inputType: 'document' },
  ];
}

const TEXTS = [
  'The cat sat on the mat.',
  'Retrieval-augmented generation grounds a language model in documents it retrieves at query time.',
  'hi',
  'Quantum chromodynamics describes the strong interaction between quarks and gluons, mediated by gluons.',
  '北京是中国的首都。',
  'A',
];

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

const l2 = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
};

/** The Encoder v1 conformance suite. */
export function describeEncoderConformance(options: EncoderConformanceOptions): void {
  const tolerance = options.tolerance ?? 1e-4;
  let encoder: EncoderV1 | undefined;
  const get = () => {
    if (!encoder) throw new Error('encoder was not created (see the beforeAll error)');
    return encoder;
  };
  const embed = async (texts: readonly string[], inputType: 'query' | 'document' = 'document') =>
    (await get().embed({ texts, inputType })).embeddings;
  const expectValid = (vectors: readonly Float32Array[], count: number, what: string) => {
    expect(vectors, what).toHaveLength(count);
    for (const [i, v] of vectors.entries()) {
      expect(v, `${what}[${i}] is a Float32Array`).toBeInstanceOf(Float32Array);
      expect(v.length, `${what}[${i}] length`).toBe(get().dimension);
      expect(v.every(Number.isFinite), `${what}[${i}] is finite`).toBe(true);
    }
  };
  const test = (name: EncoderConformanceTest, fn: () => Promise<void>) =>
    conformanceTest(name, options.skip, fn, options.timeout);

  describe(`Encoder conformance: ${options.name}`, () => {
    beforeAll(async () => {
      encoder = await options.create();
    }, options.timeout ?? 120_000);
    afterAll(async () => {
      await encoder?.close?.();
    });

    test('metadata', async () => {
      const e = get();
      expect(e.specificationVersion).toBe('v1');
      expect(typeof e.provider).toBe('string');
      expect(e.modelId.length).toBeGreaterThan(0);
      expect(Number.isInteger(e.dimension) && e.dimension > 0).toBe(true);
      expect(Number.isInteger(e.maxBatchSize) && e.maxBatchSize > 0).toBe(true);
      expect(typeof e.normalized).toBe('boolean');
    });

    test('dimension', async () => {
      expectValid(await embed(TEXTS), TEXTS.length, 'embeddings');
    });

    test('normalization', async () => {
      const vectors = await embed(TEXTS);
      for (const [i, v] of vectors.entries()) {
        const n = l2(v);
        if (get().normalized)
          expect(Math.abs(n - 1), `norm of embedding ${i} is ${n}`).toBeLessThanOrEqual(1e-3);
        else expect(n, `embedding ${i} must not be all zeros`).toBeGreaterThan(0);
      }
    });

    test('batch-equals-single', async () => {
      const batch = await embed(TEXTS);
      for (const [i, text] of TEXTS.entries()) {
        const [single] = await embed([text]);
        const diff = maxAbsDiff(batch[i]!, single!);
        expect(diff, `"${text}": batch vs one-by-one max abs diff ${diff}`).toBeLessThanOrEqual(tolerance);
      }
    });

    test('order-preserved', async () => {
      const forward = await embed(TEXTS);
      const backward = await embed([...TEXTS].reverse());
      forward.forEach((v, i) => {
        const diff = maxAbsDiff(v, backward[TEXTS.length - 1 - i]!);
        expect(diff, `embedding of "${TEXTS[i]}" depends on its position`).toBeLessThanOrEqual(tolerance);
      });
      // Different texts must not collapse onto one vector.
      expect(maxAbsDiff(forward[0]!, forward[1]!)).toBeGreaterThan(tolerance);
    });

    test('deterministic', async () => {
      const a = await embed(TEXTS.slice(0, 3));
      const b = await embed(TEXTS.slice(0, 3));
      a.forEach((v, i) => {
        expect(maxAbsDiff(v, b[i]!)).toBeLessThanOrEqual(tolerance);
      });
    });

    test('query-and-document', async () => {
      expectValid(await embed(['what is the capital of China?'], 'query'), 1, 'query embedding');
      expectValid(await embed(['Beijing is the capital of China.'], 'document'), 1, 'document embedding');
    });

    test('empty-batch', async () => {
      expect(await embed([])).toEqual([]);
    });

    test('empty-string', async () => {
      // Either a valid vector or a clear INVALID_ARGUMENT — never NaN, a crash or a hang.
      try {
        expectValid(await embed(['']), 1, 'embedding of ""');
      } catch (error) {
        await expectRagloomError(() => Promise.reject(error), 'INVALID_ARGUMENT', 'embedding ""');
      }
    });

    test('long-input', async () => {
      const sentence = 'Long inputs are truncated to what the model can read, never a crash. ';
      const text = sentence.repeat(Math.ceil((options.longInputChars ?? 20_000) / sentence.length));
      expectValid(await embed([text, 'short']), 2, 'long and short embeddings');
    });

    test('cjk-and-emoji', async () => {
      const texts = [
        '北京是中国的首都',
        '東京は日本の首都です',
        '🙂🚀 emoji 🎉',
        '서울은 한국의 수도이다',
        '長江是中國最長的河流',
      ];
      const vectors = await embed(texts);
      expectValid(vectors, texts.length, 'CJK/emoji embeddings');
      for (let i = 0; i < vectors.length; i++) {
        for (let j = i + 1; j < vectors.length; j++) {
          expect(
            maxAbsDiff(vectors[i]!, vectors[j]!),
            `"${texts[i]}" vs "${texts[j]}" collapse`,
          ).toBeGreaterThan(tolerance);
        }
      }
    });

    test('invalid-input', async () => {
      await expectRagloomError(
        () => get().embed({ texts: 'not an array' as unknown as string[], inputType: 'document' }),
        'INVALID_ARGUMENT',
        'texts is a string',
      );
      await expectRagloomError(
        () => get().embed({ texts: ['ok', 42 as unknown as string], inputType: 'document' }),
        'INVALID_ARGUMENT',
        'a number among the texts',
      );
    });

    test('abort', async () => {
      const controller = new AbortController();
      controller.abort();
      await expectRagloomError(
        () => get().embed({ texts: TEXTS, inputType: 'document', signal: controller.signal }),
        'ABORTED',
        'embed with an aborted signal',
      );
      // Aborting while a large request runs: it either finishes with valid output or rejects ABORTED.
      const running = new AbortController();
      const many = Array.from(
        { length: 4 * get().maxBatchSize },
        (_, i) => `${TEXTS[i % TEXTS.length]} ${i}`,
      );
      const pending = get().embed({ texts: many, inputType: 'document', signal: running.signal });
      const timer = setTimeout(() => running.abort(), 1);
      try {
        expectValid((await pending).embeddings, many.length, 'embeddings of a request aborted late');
      } catch (error) {
        await expectRagloomError(() => Promise.reject(error), 'ABORTED', 'embed aborted while running');
      } finally {
        clearTimeout(timer);
      }
    });

    // A service embeds many requests at once; each must get what it would get alone. (An encoder that
    // reuses one input buffer while an earlier request still reads it returns other requests' vectors.)
    const expectSameEmbeddings = (
      requests: readonly EmbedRequest[],
      sequential: readonly Float32Array[][],
      concurrent: readonly Float32Array[][],
    ) => {
      requests.forEach((request, r) => {
        const what = `request ${r} (${request.texts.length} ${request.inputType} text(s))`;
        expect(concurrent[r], what).toHaveLength(request.texts.length);
        request.texts.forEach((text, t) => {
          const diff = maxAbsDiff(concurrent[r]![t]!, sequential[r]![t]!);
          expect(
            diff,
            `${what}, "${text.slice(0, 40)}": concurrent vs one-at-a-time max abs diff ${diff}`,
          ).toBeLessThanOrEqual(tolerance);
        });
      });
    };

    test('concurrent-equals-sequential', async () => {
      const requests = concurrencyRequests(get().maxBatchSize);
      const { sequential, concurrent } = await sequentialThenConcurrent(
        requests.map((request) => async () => (await get().embed(request)).embeddings),
      );
      expectSameEmbeddings(requests, sequential, concurrent);
    });

    test('concurrent-abort-isolated', async () => {
      const requests = concurrencyRequests(get().maxBatchSize).slice(0, 8);
      const sequential: Float32Array[][] = [];
      for (const request of requests) sequential.push((await get().embed(request)).embeddings);
      // One request among many is aborted while they all run: only that one may fail.
      const controller = new AbortController();
      const doomedTexts = Array.from(
        { length: 4 * Math.min(get().maxBatchSize, 16) },
        (_, i) => `${PARAGRAPH} ${i}`,
      );
      const doomed = settle(
        get().embed({ texts: doomedTexts, inputType: 'document', signal: controller.signal }),
      );
      const others = requests.map((request) => get().embed(request));
      controller.abort();
      const concurrent = (await Promise.all(others)).map((r) => r.embeddings);
      expectSameEmbeddings(requests, sequential, concurrent);
      const outcome = await doomed;
      if (outcome.ok) expectValid(outcome.value.embeddings, doomedTexts.length, 'the aborted request');
      else await expectRagloomError(() => Promise.reject(outcome.error), 'ABORTED', 'the aborted request');
    });

    options.additionalTests?.(get);
  });
}
