import { describe, expect, it } from 'vitest';
import { applyStopSequences } from '../src/adapter/index.js';
import {
  createTemplateGenerator,
  type GenerateStreamPart,
  limitText,
  type TokenUsage,
  templateTokens,
} from '../src/index.js';

const REPLY = 'Retrieval finds the passages; generation writes the answer END of reply';
const messages = [{ role: 'user' as const, content: 'say it' }];

async function collect(stream: AsyncIterable<GenerateStreamPart>) {
  const parts: GenerateStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

/** The template's words as a source that knows no stop sequences, for the kit's helper to cut. */
async function* words(maxTokens?: number): AsyncGenerator<GenerateStreamPart> {
  const tokens = templateTokens(REPLY);
  const kept = tokens.slice(0, maxTokens ?? tokens.length);
  for (const delta of kept) yield { type: 'text-delta', delta };
  const usage: TokenUsage = { promptTokens: 0, completionTokens: kept.length, totalTokens: kept.length };
  yield { type: 'finish', finishReason: kept.length < tokens.length ? 'length' : 'stop', usage };
}

const deltasOf = (parts: readonly GenerateStreamPart[]) =>
  parts.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : []));
const finishOf = (parts: readonly GenerateStreamPart[]) => {
  const last = parts.at(-1);
  return last?.type === 'finish' ? last : undefined;
};

describe('the template generator applies stop sequences with the kit (applyStopSequences)', () => {
  const generator = createTemplateGenerator({ render: () => REPLY });
  const cases: Array<{ stop?: string[]; maxTokens?: number }> = [
    { stop: ['END'] },
    { stop: ['es; gen'] }, // straddles two words: held back across the chunk boundary, never sent in part
    { stop: ['reply!'] }, // the reply ends in a partial match: held back, then sent at the finish
    { stop: ['nowhere', 'the answer'] },
    { stop: ['END'], maxTokens: 3 },
    {},
  ];

  it('streams the same text deltas and finish reason as applyStopSequences over its words', async () => {
    for (const { stop, maxTokens } of cases) {
      const request = { messages, ...(stop ? { stop } : {}), ...(maxTokens ? { maxTokens } : {}) };
      const ours = await collect(generator.stream(request));
      const kit = await collect(applyStopSequences(words(maxTokens), request, () => zero));
      expect(deltasOf(ours), JSON.stringify(request)).toEqual(deltasOf(kit));
      expect(finishOf(ours)?.finishReason).toBe(finishOf(kit)?.finishReason);
      expect(finishOf(ours)).toBeDefined();
      // An extractive answer under the same limits reads the same (core's answer limits).
      const limited = limitText(REPLY, { stop, maxTokens });
      expect(deltasOf(ours).join('')).toBe(limited.text);
    }
  });

  it('counts the word that completed a stop sequence, as a model counts the token', async () => {
    const parts = await collect(generator.stream({ messages, stop: ['es; gen'] }));
    const finish = finishOf(parts);
    expect(deltasOf(parts).join('')).toBe('Retrieval finds the passag');
    // "Retrieval", " finds", " the", " passages;", " generation" (the word that completed the match)
    expect(finish).toMatchObject({ finishReason: 'stop', usage: { completionTokens: 5 } });
    const partial = deltasOf(await collect(generator.stream({ messages, stop: ['reply!'] })));
    expect(partial.at(-1)).toBe('reply'); // the held-back tail, sent once nothing could complete it
    expect(partial.join('')).toBe(REPLY);
  });
});

const zero: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
