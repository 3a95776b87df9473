import type {
  ChatMessage,
  GenerateRequest,
  GenerateResult,
  GenerateStreamPart,
  GeneratorV1,
} from '@ragloom/core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { sequentialThenConcurrent, settle } from '../shared/concurrency.js';
import { conformanceTest, type SkipMap } from '../shared/conformance-test.js';
import { expectRagloomError } from '../shared/expect-ragloom-error.js';

export const GENERATOR_CONFORMANCE_TESTS = [
  'metadata',
  'generate',
  'stream-equals-generate',
  'deterministic',
  'max-tokens',
  'stop-sequences',
  'stop-sequences-streamed',
  'usage',
  'abort-before-start',
  'abort-mid-stream',
  'invalid-request',
  'concurrent-equals-sequential',
  'concurrent-seeded-sampling',
  'concurrent-abort-isolated',
] as const;

export type GeneratorConformanceTest = (typeof GENERATOR_CONFORMANCE_TESTS)[number];

export interface GeneratorConformanceOptions {
  readonly name: string;
  /** Called once for the suite; `close()` is called after it. */
  readonly create: () => GeneratorV1 | Promise<GeneratorV1>;
  /** The conversation to generate from; the reply must be at least ~10 tokens long at temperature 0. */
  readonly prompt?: readonly ChatMessage[];
  /** Tokens for the base generation (default 40). */
  readonly maxTokens?: number;
  readonly skip?: SkipMap<GeneratorConformanceTest>;
  readonly timeout?: number;
  readonly additionalTests?: (getGenerator: () => GeneratorV1) => void;
}

const DEFAULT_PROMPT: readonly ChatMessage[] = [
  { role: 'system', content: 'You are a storyteller.' },
  { role: 'user', content: 'Tell a short story about a little cat who finds a red ball in the garden.' },
];

async function collect(stream: AsyncIterable<GenerateStreamPart>) {
  const parts: GenerateStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

const SECOND_PROMPT: readonly ChatMessage[] = [
  { role: 'user', content: 'Once upon a time a small dog went out to play in the rain. What happened?' },
];

/** What one generation produced, whether it came from `generate` or from `stream`. */
interface Outcome {
  readonly text: string;
  readonly finishReason: string;
  readonly usage: unknown;
}

async function outcomeOf(
  generator: GeneratorV1,
  request: GenerateRequest,
  streamed: boolean,
): Promise<Outcome> {
  if (!streamed) {
    const { text, finishReason, usage } = await generator.generate(request);
    return { text, finishReason, usage };
  }
  const parts = await collect(generator.stream(request));
  const finish = parts.at(-1);
  if (finish?.type !== 'finish') throw new Error('the stream did not end with a finish part');
  const text = parts.map((p) => (p.type === 'text-delta' ? p.delta : '')).join('');
  return { text, finishReason: finish.finishReason, usage: finish.usage };
}

/** Picks a stop sequence from inside `text`: a word starting after the first third, as it first occurs. */
function stopFrom(text: string): { stop: string; expected: string } | undefined {
  const words = [...text.matchAll(/\S{2,}/g)];
  for (const match of words) {
    if (match.index! < text.length / 3) continue;
    const stop = match[0];
    const at = text.indexOf(stop);
    if (at > 0) return { stop, expected: text.slice(0, at) };
  }
  return undefined;
}

/** The Generator v1 conformance suite. Requests use temperature 0 and seed 42, so output is reproducible. */
export function describeGeneratorConformance(options: GeneratorConformanceOptions): void {
  let generator: GeneratorV1 | undefined;
  let base: GenerateResult | undefined;
  const get = () => {
    if (!generator) throw new Error('generator was not created (see the beforeAll error)');
    return generator;
  };
  const request = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
    messages: options.prompt ?? DEFAULT_PROMPT,
    temperature: 0,
    seed: 42,
    maxTokens: options.maxTokens ?? 40,
    ...extra,
  });
  const baseline = async () => {
    base ??= await get().generate(request());
    return base;
  };
  const test = (name: GeneratorConformanceTest, fn: () => Promise<void>) =>
    conformanceTest(name, options.skip, fn, options.timeout);

  describe(`Generator conformance: ${options.name}`, () => {
    beforeAll(async () => {
      generator = await options.create();
    }, options.timeout ?? 120_000);
    afterAll(async () => {
      await generator?.close?.();
    });

    test('metadata', async () => {
      expect(get().specificationVersion).toBe('v1');
      expect(typeof get().provider).toBe('string');
      expect(get().modelId.length).toBeGreaterThan(0);
    });

    test('generate', async () => {
      const result = await baseline();
      expect(typeof result.text).toBe('string');
      expect(result.text.trim().length, 'the reply is not empty').toBeGreaterThan(0);
      expect(['stop', 'length']).toContain(result.finishReason);
    });

    test('stream-equals-generate', async () => {
      const result = await baseline();
      const parts = await collect(get().stream(request()));
      const finishes = parts.filter((p) => p.type === 'finish');
      expect(finishes, 'exactly one finish part').toHaveLength(1);
      expect(parts.at(-1)?.type, 'finish comes last').toBe('finish');
      const text = parts.map((p) => (p.type === 'text-delta' ? p.delta : '')).join('');
      expect(text).toBe(result.text);
      const finish = finishes[0] as Extract<GenerateStreamPart, { type: 'finish' }>;
      expect(finish.finishReason).toBe(result.finishReason);
      expect(finish.usage).toEqual(result.usage);
    });

    test('deterministic', async () => {
      expect((await get().generate(request())).text).toBe((await baseline()).text);
    });

    test('max-tokens', async () => {
      const full = await baseline();
      expect(full.usage.completionTokens, 'the base reply must be longer than 5 tokens').toBeGreaterThan(5);
      const short = await get().generate(request({ maxTokens: 5 }));
      expect(short.usage.completionTokens).toBeLessThanOrEqual(5);
      expect(short.finishReason).toBe('length');
      expect(full.text.startsWith(short.text), `"${short.text}" is a prefix of the longer reply`).toBe(true);
      expect(short.text.length).toBeLessThan(full.text.length);
    });

    test('stop-sequences', async () => {
      const full = await baseline();
      const pick = stopFrom(full.text);
      expect(pick, `no usable stop sequence in "${full.text}"`).toBeDefined();
      const stopped = await get().generate(request({ stop: [pick!.stop] }));
      expect(stopped.text).toBe(pick!.expected);
      expect(stopped.finishReason).toBe('stop');
      expect(stopped.text.includes(pick!.stop)).toBe(false);
    });

    test('stop-sequences-streamed', async () => {
      const full = await baseline();
      const pick = stopFrom(full.text)!;
      const parts = await collect(get().stream(request({ stop: ['\u0000never', pick.stop] })));
      const text = parts.map((p) => (p.type === 'text-delta' ? p.delta : '')).join('');
      expect(text, 'no part of the stop sequence is streamed').toBe(pick.expected);
      const finish = parts.at(-1) as Extract<GenerateStreamPart, { type: 'finish' }>;
      expect(finish.type).toBe('finish');
      expect(finish.finishReason).toBe('stop');
    });

    test('usage', async () => {
      const { usage } = await baseline();
      for (const [key, value] of Object.entries(usage)) {
        expect(Number.isInteger(value) && value >= 0, `${key} = ${value}`).toBe(true);
      }
      expect(usage.promptTokens).toBeGreaterThan(0);
      expect(usage.completionTokens).toBeGreaterThan(0);
      expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
    });

    test('abort-before-start', async () => {
      const controller = new AbortController();
      controller.abort();
      await expectRagloomError(
        () => get().generate(request({ signal: controller.signal })),
        'ABORTED',
        'generate',
      );
      await expectRagloomError(
        () => collect(get().stream(request({ signal: controller.signal }))),
        'ABORTED',
        'stream',
      );
    });

    test('abort-mid-stream', async () => {
      const controller = new AbortController();
      const started = Date.now();
      let deltasAfterAbort = 0;
      let aborted = false;
      await expectRagloomError(
        async () => {
          for await (const part of get().stream(request({ signal: controller.signal, maxTokens: 400 }))) {
            if (part.type !== 'text-delta') continue;
            if (aborted) deltasAfterAbort++;
            else {
              aborted = true;
              controller.abort();
            }
          }
        },
        'ABORTED',
        'stream aborted after its first delta',
      );
      expect(deltasAfterAbort, 'at most one more delta after abort').toBeLessThanOrEqual(1);
      expect(Date.now() - started, 'abort is prompt').toBeLessThan(10_000);
    });

    test('invalid-request', async () => {
      await expectRagloomError(() => get().generate({ messages: [] }), 'INVALID_ARGUMENT', 'no messages');
      await expectRagloomError(
        () => get().generate(request({ maxTokens: 0 })),
        'INVALID_ARGUMENT',
        'maxTokens 0',
      );
    });

    // A server answers many chats at once; each must get what it would get alone, streamed or not.
    type Call = [name: string, request: GenerateRequest, streamed: boolean];
    const expectSameOutcomes = (
      calls: readonly Call[],
      sequential: readonly Outcome[],
      concurrent: readonly Outcome[],
    ) => {
      calls.forEach(([name], i) => {
        expect(concurrent[i], `${name}: concurrent vs one at a time`).toEqual(sequential[i]);
      });
    };
    /** Runs the calls one at a time, then all at once, checks they agree and returns the outcomes. */
    const runBothWays = async (calls: readonly Call[]) => {
      const { sequential, concurrent } = await sequentialThenConcurrent(
        calls.map(
          ([, r, streamed]) =>
            () =>
              outcomeOf(get(), r, streamed),
        ),
      );
      expectSameOutcomes(calls, sequential, concurrent);
      return sequential;
    };

    const mixedCalls = async () => {
      const pick = stopFrom((await baseline()).text);
      const calls: Call[] = [
        ['generate', request(), false],
        ['stream', request(), true],
        ['generate, maxTokens 5', request({ maxTokens: 5 }), false],
        ['stream, maxTokens 12', request({ maxTokens: 12 }), true],
        ['generate, another prompt', request({ messages: SECOND_PROMPT }), false],
        ['stream, another prompt', request({ messages: SECOND_PROMPT, maxTokens: 20 }), true],
      ];
      if (pick) calls.push(['stream, stop sequence', request({ stop: [pick.stop] }), true]);
      if (pick) calls.push(['generate, stop sequence', request({ stop: [pick.stop] }), false]);
      return calls;
    };

    test('concurrent-equals-sequential', async () => {
      await runBothWays(await mixedCalls());
    });

    test('concurrent-seeded-sampling', async () => {
      // Sampling with a seed is reproducible only if each request draws from its own random stream.
      const calls = [7, 8, 9].flatMap((seed): Call[] => [
        [`generate, temperature 1, seed ${seed}`, request({ temperature: 1, seed, topP: 0.95 }), false],
        [`stream, temperature 1, seed ${seed}`, request({ temperature: 1, seed, topP: 0.95 }), true],
      ]);
      const sequential = await runBothWays(calls);
      // Generate and stream with one seed agree, too (they are the same request).
      for (let i = 0; i < calls.length; i += 2) {
        expect(sequential[i + 1], `${calls[i + 1]![0]} vs ${calls[i]![0]}`).toEqual(sequential[i]);
      }
    });

    test('concurrent-abort-isolated', async () => {
      const calls = await mixedCalls();
      const sequential: Outcome[] = [];
      for (const [, r, streamed] of calls) sequential.push(await outcomeOf(get(), r, streamed));
      // A long stream among them is aborted after its first delta: only that one may end early.
      const controller = new AbortController();
      const doomed = settle(
        (async () => {
          for await (const part of get().stream(request({ signal: controller.signal, maxTokens: 400 }))) {
            if (part.type === 'text-delta') controller.abort();
          }
        })(),
      );
      const concurrent = await Promise.all(calls.map(([, r, streamed]) => outcomeOf(get(), r, streamed)));
      expectSameOutcomes(calls, sequential, concurrent);
      const outcome = await doomed;
      if (!outcome.ok) {
        await expectRagloomError(() => Promise.reject(outcome.error), 'ABORTED', 'the aborted stream');
      }
    });

    options.additionalTests?.(get);
  });
}
