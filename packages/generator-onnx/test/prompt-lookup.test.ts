import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxGenerator, type OnnxGenerator, promptLookupDraft } from '../src/index.js';
import { storiesDir } from './support/stories.js';

describe('prompt-lookup drafts', () => {
  it('continue the most recent earlier occurrence of the longest matching n-gram', () => {
    //            0  1  2  3  4  5  6  7  8  9
    const history = [5, 6, 7, 8, 9, 1, 6, 7, 3, 6, 7];
    expect(promptLookupDraft(history, 3, 4)).toEqual([3, 6, 7]); // "6 7" last seen at 6..7, followed by 3 6 7
    expect(promptLookupDraft(history, 3, 1)).toEqual([3]);
    expect(promptLookupDraft([1, 2, 3, 1, 2], 2, 5)).toEqual([3, 1, 2]);
    expect(promptLookupDraft([1, 2, 3, 4], 3, 5)).toEqual([]); // nothing repeats
    expect(promptLookupDraft([4, 4, 4], 1, 0)).toEqual([]);
  });
});

describe('speculative decoding with prompt lookup on stories260k', () => {
  let plain: OnnxGenerator;
  let lookup: OnnxGenerator;
  beforeAll(async () => {
    plain = await createOnnxGenerator(storiesDir(), { intraOpNumThreads: 1 });
    lookup = await createOnnxGenerator(storiesDir(), {
      intraOpNumThreads: 1,
      promptLookup: { maxDraftTokens: 6, ngramSize: 3 },
    });
  });
  afterAll(async () => {
    await plain?.close();
    await lookup?.close();
  });

  it('gives the same tokens as one token per run, greedy and seeded sampling', async () => {
    const prompt = plain.encodePrompt([
      { role: 'user', content: 'Once upon a time, there was a little dog named Max.' },
    ]);
    for (const request of [
      { inputIds: [1], maxTokens: 200, temperature: 0 },
      { inputIds: prompt, maxTokens: 150, temperature: 0 },
      { inputIds: prompt, maxTokens: 150, temperature: 0.8, topP: 0.9, seed: 5 },
      {
        inputIds: [1],
        maxTokens: 200,
        temperature: 0,
        providerOptions: { onnx: { repetitionPenalty: 1.2 } },
      },
    ]) {
      const expected = await plain.generateTokens(request);
      const actual = await lookup.generateTokens(request);
      expect(actual).toEqual(expected);
    }
  });

  it('keeps maxTokens, stop sequences, streaming text and usage exactly as without it', async () => {
    const messages = [{ role: 'user' as const, content: '' }];
    for (const request of [
      { messages, temperature: 0, maxTokens: 97 },
      { messages, temperature: 0, maxTokens: 300, stop: ['what to do'] },
    ]) {
      const expected = await plain.generate(request);
      const parts: string[] = [];
      let usage: unknown;
      for await (const part of lookup.stream(request)) {
        if (part.type === 'text-delta') parts.push(part.delta);
        else usage = part.usage;
      }
      expect(parts.join('')).toBe(expected.text);
      expect(usage).toEqual(expected.usage);
      expect(await lookup.generate(request)).toEqual(expected);
    }
  });

  it('rejects bad options before loading', async () => {
    await expect(createOnnxGenerator(storiesDir(), { promptLookup: { maxDraftTokens: 0 } })).rejects.toThrow(
      /maxDraftTokens/,
    );
  });
});
