import { dirname, join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import {
  type GenerateRequest,
  type GenerateStreamPart,
  isRagloomError,
  type RagloomErrorCode,
} from '@ragloom/core';
import { acceptGenerateRequest } from '@ragloom/core/adapter';
import { loadModelTokenizer, openModelSource, readJsonFile } from '@ragloom/onnx-model';
import { assetPath } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatTemplate, createOnnxGenerator, type OnnxGenerator } from '../src/index.js';
import { readStoriesJson, smolLmTokenizerDir, storiesDir, storiesVariant } from './support/stories.js';

const GREEDY_START =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.';
const fromBos = [{ role: 'user' as const, content: '' }];

async function collect(parts: AsyncIterable<GenerateStreamPart>) {
  const deltas: string[] = [];
  let finish: Extract<GenerateStreamPart, { type: 'finish' }> | undefined;
  for await (const part of parts) {
    if (part.type === 'text-delta') deltas.push(part.delta);
    else finish = part;
  }
  if (!finish) throw new Error('no finish part');
  return { deltas, text: deltas.join(''), finish };
}

async function expectCode(promise: Promise<unknown>, code: RagloomErrorCode) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRagloomError(error), `expected ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  return error as Error & { details: Record<string, unknown> };
}

describe('generator-onnx on stories260k', () => {
  let generator: OnnxGenerator;
  beforeAll(async () => {
    generator = await createOnnxGenerator(storiesDir(), { intraOpNumThreads: 1 });
  });
  afterAll(() => generator?.close());

  it('describes itself and uses the plain prompt for a model without a chat template', () => {
    expect(generator.provider).toBe('onnx');
    expect(generator.modelId).toBe(storiesDir());
    expect(generator.contextLength).toBe(512);
    expect(generator.chatTemplate.kind).toBe('plain');
    const messages = [
      { role: 'system' as const, content: 'Stories for kids.' },
      { role: 'user' as const, content: 'Once upon a time,' },
    ];
    expect(generator.renderPrompt(messages)).toBe('Stories for kids.\n\nOnce upon a time,');
    expect(generator.encodePrompt(messages)[0]).toBe(1); // the tokenizer adds BOS to plain prompts
    expect([...generator.generationDefaults.eosTokenIds]).toEqual([2]);
  });

  it('stop sequences end the text before a match that straddles tokens, in stream and generate', async () => {
    // " there" and " was" are separate tokens; "e was" spans both.
    const request = { messages: fromBos, temperature: 0, maxTokens: 40, stop: ['zzz', 'e was'] };
    const streamed = await collect(generator.stream(request));
    const generated = await generator.generate(request);
    expect(streamed.text).toBe('Once upon a time, ther');
    expect(generated.text).toBe(streamed.text);
    expect(streamed.finish.finishReason).toBe('stop');
    expect(generated.finishReason).toBe('stop');
    expect(streamed.deltas.join('').includes('e was')).toBe(false);
    expect(streamed.finish.usage.completionTokens).toBe(7); // Once upon a time , there was
  });

  it('maxTokens ends with length; the text is a prefix of the longer greedy text', async () => {
    const short = await generator.generate({ messages: fromBos, temperature: 0, maxTokens: 5 });
    expect(short).toEqual({
      text: 'Once upon a time,',
      finishReason: 'length',
      usage: { promptTokens: 1, completionTokens: 5, totalTokens: 6 },
    });
    const long = await generator.generate({ messages: fromBos, temperature: 0, maxTokens: 40 });
    expect(long.text.startsWith(GREEDY_START)).toBe(true);
  });

  it('seeded sampling: the same seed gives the same text, another seed another text', async () => {
    const request = { messages: fromBos, temperature: 0.9, topP: 0.95, maxTokens: 40 };
    const a = await generator.generate({ ...request, seed: 1 });
    const b = await generator.generate({ ...request, seed: 1 });
    const c = await generator.generate({ ...request, seed: 2 });
    expect(a.text).toBe(b.text);
    expect(c.text).not.toBe(a.text);
    const streamed = await collect(generator.stream({ ...request, seed: 1 }));
    expect(streamed.text).toBe(a.text);
    const penalised = await generator.generate({
      messages: fromBos,
      temperature: 0,
      maxTokens: 60,
      providerOptions: { onnx: { repetitionPenalty: 1.5, minP: 0.1 } },
    });
    expect(penalised.text).not.toBe(
      (await generator.generate({ messages: fromBos, temperature: 0, maxTokens: 60 })).text,
    );
  });

  it('streams byte-fallback tokens without ever splitting a character', async () => {
    // Near-uniform sampling over the vocabulary emits many <0xNN> byte tokens, some forming multi-byte characters.
    // A 4-byte character is rare (about 1 sample in 200 at this length); seed 913 makes one (U+134C9) on every
    // platform, since sampling no longer depends on float rounding (next test).
    const request = { messages: fromBos, temperature: 300, topK: 512, maxTokens: 300, seed: 913 };
    const { tokens } = await generator.generateTokens({ ...request, inputIds: [1] });
    const byteTokens = tokens.filter((t) => t >= 3 && t < 259).length;
    expect(byteTokens).toBeGreaterThan(50);
    const full = generator.tokenizer.decode(tokens, { skipSpecialTokens: true });
    const multiByte = [...full].filter((ch) => ch !== '\uFFFD' && (ch.codePointAt(0) ?? 0) > 0x7f);
    expect(multiByte.length, 'some byte tokens formed real characters').toBeGreaterThan(5);
    expect(
      multiByte.some((ch) => (ch.codePointAt(0) ?? 0) > 0xffff),
      'one is a 4-byte character (a surrogate pair)',
    ).toBe(true);
    const streamed = await collect(generator.stream(request));
    expect(streamed.text).toBe(full);
    for (const delta of streamed.deltas) {
      expect(/[\uD800-\uDBFF]$/.test(delta), 'no delta ends inside a surrogate pair').toBe(false);
    }
    // Every multi-byte character arrives whole in one delta.
    for (const ch of multiByte) expect(streamed.deltas.some((d) => d.includes(ch))).toBe(true);
  });

  it('a seeded sample does not depend on float rounding (graph optimisation level, threads)', async () => {
    // Fused kernels round differently, as other CPUs do. stories260k's untrained byte tokens have logits tied to
    // 1e-6, so a sampler that walked candidates in likelihood order picked other tokens from token 28 on.
    const request = { temperature: 300, topK: 512, maxTokens: 300, seed: 913, inputIds: [1] };
    const unfused = await createOnnxGenerator(storiesDir(), {
      graphOptimizationLevel: 'disabled',
      intraOpNumThreads: 2,
    });
    try {
      const expected = (await generator.generateTokens(request)).tokens;
      expect((await unfused.generateTokens(request)).tokens).toEqual(expected);
    } finally {
      await unfused.close();
    }
  });

  it('Chinese and emoji prompts work end to end', async () => {
    const result = await generator.generate({
      messages: [{ role: 'user', content: '从前有一只小猫 🐱 named Tom.' }],
      temperature: 0,
      maxTokens: 20,
    });
    expect(result.usage.promptTokens).toBeGreaterThan(20); // byte fallback: 3 tokens per Chinese character
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.text.includes('\uFFFD')).toBe(false);
  });

  it('prompts that do not fit: a clear error, or truncation from the start when asked', async () => {
    const long = 'The cat sat on the mat and looked at the dog. '.repeat(60);
    const error = await expectCode(
      generator.generate({ messages: [{ role: 'user', content: long }], maxTokens: 5 }),
      'CONTEXT_LENGTH_EXCEEDED',
    );
    expect(error.message).toContain('512');
    expect(error.details.promptTokens).toBeGreaterThan(512);

    const truncating = await createOnnxGenerator(storiesDir(), {
      contextOverflow: 'truncate-start',
      intraOpNumThreads: 1,
    });
    try {
      const result = await truncating.generate({
        messages: [{ role: 'user', content: long }],
        maxTokens: 10,
        temperature: 0,
      });
      expect(result.usage.promptTokens).toBe(502);
      expect(result.usage.completionTokens).toBe(10);
      expect(result.finishReason).toBe('length');
    } finally {
      await truncating.close();
    }
  });

  it('stops with length at the context limit', async () => {
    const small = await createOnnxGenerator(storiesDir(), { contextLength: 24, intraOpNumThreads: 1 });
    try {
      const result = await small.generate({
        messages: [{ role: 'user', content: 'Once upon a time,' }],
        temperature: 0,
      });
      expect(result.usage).toEqual({ promptTokens: 6, completionTokens: 18, totalTokens: 24 });
      expect(result.finishReason).toBe('length');
    } finally {
      await small.close();
    }
  });

  it('abort stops within one step', async () => {
    const controller = new AbortController();
    let deltas = 0;
    const error = await expectCode(
      (async () => {
        for await (const part of generator.stream({
          messages: fromBos,
          temperature: 0,
          maxTokens: 400,
          signal: controller.signal,
        })) {
          if (part.type === 'text-delta' && ++deltas === 3) controller.abort();
        }
      })(),
      'ABORTED',
    );
    expect(deltas).toBe(3);
    expect(error.message).toContain('abort');
    const reason = new AbortController();
    reason.abort();
    await expectCode(generator.generateTokens({ inputIds: [1], signal: reason.signal }), 'ABORTED');
  });

  it('rejects bad requests with INVALID_ARGUMENT naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ messages: [] }, 'messages'],
      [{ messages: fromBos, maxTokens: -1 }, 'maxTokens'],
      [{ messages: fromBos, temperature: Number.POSITIVE_INFINITY }, 'temperature'],
      [{ messages: fromBos, topP: 1.5 }, 'topP'],
      [{ messages: fromBos, providerOptions: { onnx: { minP: 2 } } }, 'providerOptions.onnx.minP'],
      [
        { messages: fromBos, providerOptions: { onnx: { repetitionPenalty: 0 } } },
        'providerOptions.onnx.repetitionPenalty',
      ],
    ];
    for (const [request, field] of cases) {
      const error = await expectCode(generator.generate(request as never), 'INVALID_ARGUMENT');
      expect(error.details.field).toBe(field);
    }
    await expectCode(generator.generateTokens({ inputIds: [1, 9999] }), 'INVALID_ARGUMENT');
  });

  it("checks a request with the kit's acceptGenerateRequest: the same error, code, message and field", async () => {
    const aborted = new AbortController();
    aborted.abort();
    const requests: unknown[] = [
      { messages: [{ role: 'robot', content: 'hi' }] },
      { messages: [{ role: 'user', content: 7 }] },
      { messages: fromBos, topK: 0.5 },
      { messages: fromBos, seed: 1.5 },
      { messages: fromBos, stop: ['ok', 3] },
      { messages: fromBos, signal: aborted.signal }, // ABORTED
      { messages: [], signal: aborted.signal }, // bad input wins over the abort
    ];
    const summary = (error: unknown) => {
      expect(isRagloomError(error), String(error)).toBe(true);
      const { code, message, details } = error as { code: string; message: string; details: unknown };
      return { code, message, details };
    };
    for (const request of requests) {
      let expected: unknown;
      try {
        acceptGenerateRequest(request as GenerateRequest);
      } catch (error) {
        expected = summary(error);
      }
      expect(expected, JSON.stringify(request)).toBeDefined();
      const viaGenerate = await generator.generate(request as GenerateRequest).catch((e: unknown) => e);
      expect(summary(viaGenerate)).toEqual(expected);
      // generateTokens takes token ids instead of messages and checks the rest the same way
      const { messages: _messages, ...rest } = request as Record<string, unknown>;
      if ((request as { messages: unknown[] }).messages === fromBos) {
        const viaTokens = await generator
          .generateTokens({ ...(rest as Omit<GenerateRequest, 'messages'>), inputIds: [1] })
          .catch((e: unknown) => e);
        expect(summary(viaTokens)).toEqual(expected);
      }
    }
    const both = await generator
      .generateTokens({ inputIds: [-1], signal: aborted.signal })
      .catch((e: unknown) => e);
    expect(summary(both)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'inputIds' } });
  });
});

describe('generation config and model checks', () => {
  it('ends at the EOS ids of generation_config.json (a single id or a list)', async () => {
    for (const eos of [432, [999, 432]]) {
      const variant = storiesVariant({
        'generation_config.json': { ...readStoriesJson('generation_config.json'), eos_token_id: eos },
      });
      const generator = await createOnnxGenerator(variant.dir, { intraOpNumThreads: 1 });
      try {
        const result = await generator.generate({ messages: fromBos, temperature: 0, maxTokens: 40 });
        expect(result.text).toBe('Once upon a time'); // ',' (432) is now EOS
        expect(result.finishReason).toBe('stop');
        expect(result.usage.completionTokens).toBe(5);
        const { tokens } = await generator.generateTokens({ inputIds: [1], temperature: 0, maxTokens: 40 });
        expect(tokens).toEqual([403, 407, 261, 378, 432]);
      } finally {
        await generator.close();
        variant.cleanup();
      }
    }
  });

  it('a config that contradicts the graph, a graph without a cache, or no model at all is a clear error', async () => {
    const wrongHeads = storiesVariant({
      'config.json': { ...readStoriesJson('config.json'), num_key_value_heads: 8 },
    });
    try {
      const error = await expectCode(createOnnxGenerator(wrongHeads.dir), 'MODEL_INVALID');
      expect(error.message).toMatch(/num_key_value_heads is 8.*4 heads/);
    } finally {
      wrongHeads.cleanup();
    }
    const bert = await expectCode(
      createOnnxGenerator(assetPath('models', 'tiny-random-bert')),
      'MODEL_INVALID',
    );
    expect(bert.message).toContain('past_key_values');
    await expectCode(createOnnxGenerator(join(storiesDir(), 'no-such-model')), 'MODEL_NOT_FOUND');
    const overflow = await expectCode(
      createOnnxGenerator(storiesDir(), { contextOverflow: 'middle' as never }),
      'INVALID_CONFIG',
    );
    // The kit's one shape for bad options, as every adapter reports them.
    expect(overflow.details).toEqual({
      component: 'createOnnxGenerator',
      issues: [{ path: 'contextOverflow', message: expect.stringContaining('"middle"') }],
    });
    const several = await expectCode(
      createOnnxGenerator(join(storiesDir(), 'no-such-model'), { contextLength: 0, maxTokens: 1.5 }),
      'INVALID_CONFIG',
    );
    expect((several.details.issues as { path: string }[]).map((i) => i.path)).toEqual([
      'contextLength',
      'maxTokens',
    ]);
  });

  it('takes one options object like every adapter factory; the positional form gives the same generator', async () => {
    const request = { messages: fromBos, temperature: 0, maxTokens: 12 };
    const byObject = await createOnnxGenerator({ model: storiesDir(), intraOpNumThreads: 1 });
    const positional = await createOnnxGenerator(storiesDir(), { intraOpNumThreads: 1 });
    try {
      expect(byObject.modelId).toBe(positional.modelId);
      expect(await byObject.generate(request)).toEqual(await positional.generate(request));
    } finally {
      await byObject.close();
      await positional.close();
    }
    const missing = await expectCode(createOnnxGenerator({} as never), 'INVALID_CONFIG');
    expect(missing.details).toMatchObject({ issues: [{ path: 'model' }] });
  });

  it('a closed generator refuses to run', async () => {
    const generator = await createOnnxGenerator(storiesDir());
    await generator.close();
    await expectCode(generator.generate({ messages: fromBos }), 'INVALID_ARGUMENT');
  });
});

describe('chat templates', () => {
  const conversation = [
    { role: 'system' as const, content: 'You are a helpful assistant.' },
    { role: 'user' as const, content: '你好! What is RAG? 🙂' },
    { role: 'assistant' as const, content: 'Retrieval-augmented generation.' },
    { role: 'user' as const, content: 'Thanks.' },
  ];

  it("renders SmolLM's template exactly as transformers.js apply_chat_template, text and token ids", async () => {
    const dir = smolLmTokenizerDir();
    const tokenizerConfig = await readJsonFile(join(dir, 'tokenizer_config.json'));
    const template = createChatTemplate(tokenizerConfig);
    expect(template.kind).toBe('model');
    const ours = template.render(conversation);
    expect(ours.endsWith('<|im_start|>assistant\n')).toBe(true);

    env.allowRemoteModels = false;
    env.localModelPath = `${dirname(dir)}/`;
    const peer = await AutoTokenizer.from_pretrained('SmolLM-360M-Instruct');
    const peerText = peer.apply_chat_template(conversation, { tokenize: false, add_generation_prompt: true });
    expect(ours).toBe(peerText);

    const tokenizer = await loadModelTokenizer(openModelSource(dir));
    const ids = tokenizer.encode(ours, { addSpecialTokens: template.addSpecialTokens }).ids;
    const peerIds = peer.apply_chat_template(conversation, {
      add_generation_prompt: true,
      return_tensor: false,
    }) as unknown;
    const flat = Array.isArray(peerIds) ? peerIds : ((peerIds as { input_ids: number[] }).input_ids ?? []);
    expect(ids).toEqual(flat.map(Number));
    expect(ids[0]).toBe(tokenizer.tokenToId('<|im_start|>'));
  });

  it('accepts a template string or a function, and maps raise_exception to INVALID_ARGUMENT', () => {
    const custom = createChatTemplate(
      {},
      '{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}{{ bos_token }}',
      'x',
    );
    expect(custom.kind).toBe('custom');
    expect(custom.render(conversation.slice(0, 2))).toBe(
      '[system] You are a helpful assistant.\n[user] 你好! What is RAG? 🙂\n',
    );
    const fn = createChatTemplate({ chat_template: 'ignored' }, (messages) =>
      messages.map((m) => m.content).join('|'),
    );
    expect(fn.render(conversation.slice(0, 2))).toBe('You are a helpful assistant.|你好! What is RAG? 🙂');
    const strict = createChatTemplate({
      chat_template:
        "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}ok",
    });
    let error: unknown;
    try {
      strict.render(conversation);
    } catch (e) {
      error = e;
    }
    expect(isRagloomError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('System role not supported');
    expect(() => createChatTemplate({ chat_template: '{% for x in %}' })).toThrow(/does not parse/);
    expect(
      createChatTemplate({
        chat_template: [{ name: 'default', template: 'A{{ eos_token }}' }],
        eos_token: '</s>',
      }).render([]),
    ).toBe('A</s>');
  });
});
