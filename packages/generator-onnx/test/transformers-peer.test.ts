import { dirname } from 'node:path';
import { env, pipeline, Tensor, type TextGenerationPipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxGenerator, type OnnxGenerator } from '../src/index.js';
import { referenceTokens, storiesDir } from './support/stories.js';

const TOKENS = 60;

/** transformers.js's tokens for a prompt: `pipeline('text-generation').model.generate`, greedy. */
async function peerTokens(pipe: TextGenerationPipeline, inputIds: number[]): Promise<number[]> {
  const ids = new Tensor('int64', BigInt64Array.from(inputIds.map(BigInt)), [1, inputIds.length]);
  const mask = new Tensor('int64', new BigInt64Array(inputIds.length).fill(1n), [1, inputIds.length]);
  const output = (await pipe.model.generate({
    input_ids: ids,
    attention_mask: mask,
    max_new_tokens: TOKENS,
    do_sample: false,
  })) as Tensor;
  return (output.tolist() as bigint[][])[0]!.slice(inputIds.length).map(Number);
}

describe('greedy decoding equals transformers.js and llama2.c on stories260k', () => {
  let ours: OnnxGenerator;
  let pipe: TextGenerationPipeline;

  beforeAll(async () => {
    env.allowRemoteModels = false;
    env.localModelPath = `${dirname(storiesDir())}/`;
    pipe = (await pipeline('text-generation', 'stories260k', { dtype: 'fp32' })) as TextGenerationPipeline;
    ours = await createOnnxGenerator(storiesDir(), { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await ours?.close();
    await pipe?.dispose();
  });

  it('from BOS: 60 tokens equal transformers.js and the reference tokens, and so does the text', async () => {
    const { tokens, finishReason } = await ours.generateTokens({
      inputIds: [1],
      maxTokens: TOKENS,
      temperature: 0,
    });
    expect(finishReason).toBe('length');
    expect(tokens).toHaveLength(TOKENS);
    expect(tokens).toEqual(await peerTokens(pipe, [1]));
    expect(tokens).toEqual(referenceTokens());

    // The chat path: an empty user message is the empty prompt, which is BOS alone (as `pipe('')`).
    expect(ours.encodePrompt([{ role: 'user', content: '' }])).toEqual([1]);
    const result = await ours.generate({
      messages: [{ role: 'user', content: '' }],
      maxTokens: TOKENS,
      temperature: 0,
    });
    const [peer] = (await pipe('', { do_sample: false, max_new_tokens: TOKENS })) as Array<{
      generated_text: string;
    }>;
    expect(result.text).toBe(peer?.generated_text);
    expect(result.text.startsWith('Once upon a time, there was a little girl named Lily.')).toBe(true);
    expect(result.usage).toEqual({ promptTokens: 1, completionTokens: TOKENS, totalTokens: TOKENS + 1 });
  });

  it('from a prompt: 60 tokens equal transformers.js, and continue the reference', async () => {
    const prompt = 'Once upon a time,';
    const inputIds = ours.encodePrompt([{ role: 'user', content: prompt }]);
    const peerIds = (pipe.tokenizer(prompt).input_ids as Tensor).tolist() as bigint[][];
    expect(inputIds).toEqual(peerIds[0]!.map(Number));
    const { tokens } = await ours.generateTokens({ inputIds, maxTokens: TOKENS, temperature: 0 });
    expect(tokens).toEqual(await peerTokens(pipe, inputIds));
    const reference = referenceTokens();
    // The prompt is the reference's first five tokens, so the reply continues it.
    expect(inputIds.slice(1)).toEqual(reference.slice(0, 5));
    expect(tokens.slice(0, reference.length - 5)).toEqual(reference.slice(5));

    const result = await ours.generate({
      messages: [{ role: 'user', content: prompt }],
      maxTokens: TOKENS,
      temperature: 0,
    });
    const [peer] = (await pipe(prompt, { do_sample: false, max_new_tokens: TOKENS })) as Array<{
      generated_text: string;
    }>;
    expect(prompt + result.text).toBe(peer?.generated_text);
  });
});
