import { describe, expect, it } from 'vitest';
import { acceptGenerateRequest, applyStopSequences, cutAtStopSequence } from '../src/adapter/index.js';
import { type GenerateStreamPart, isRagloomError, type TokenUsage } from '../src/index.js';

const usage = (n: number): TokenUsage => ({ promptTokens: n, completionTokens: n, totalTokens: 2 * n });

/** A source that records whether it was closed and how far it was read. */
function source(deltas: readonly string[], finish = true) {
  const state = { closed: false, pulled: 0 };
  async function* parts(): AsyncGenerator<GenerateStreamPart> {
    try {
      for (const delta of deltas) {
        state.pulled++;
        yield { type: 'text-delta', delta };
      }
      if (finish) yield { type: 'finish', finishReason: 'length', usage: usage(7) };
    } finally {
      state.closed = true;
    }
  }
  return { parts: parts(), state };
}

async function collect(stream: AsyncIterable<GenerateStreamPart>) {
  const parts: GenerateStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

describe('cutAtStopSequence', () => {
  it('cuts before the earliest stop sequence and says so', () => {
    expect(cutAtStopSequence('one two. three', ['.', 'two'])).toEqual({ text: 'one ', stopped: true });
    expect(cutAtStopSequence('no match here', ['END'])).toEqual({ text: 'no match here', stopped: false });
    expect(cutAtStopSequence('kept whole', undefined)).toEqual({ text: 'kept whole', stopped: false });
  });
});

describe('applyStopSequences', () => {
  it('passes text and the finish part through when nothing matches, held-back tails included', async () => {
    const { parts, state } = source(['Hello E', 'N']);
    const out = await collect(applyStopSequences(parts, { stop: ['END'] }, () => usage(0)));
    expect(
      out
        .filter((p) => p.type === 'text-delta')
        .map((p) => p.delta)
        .join(''),
    ).toBe('Hello EN');
    expect(out.at(-1)).toEqual({ type: 'finish', finishReason: 'length', usage: usage(7) });
    expect(state.closed).toBe(true);
  });

  it('stops at a sequence split across deltas, closes the source before finishing, and never emits it', async () => {
    const { parts, state } = source(['The answer', ' is 4', '2.\n\nQuest', 'ion: more', ' never read']);
    const stream = applyStopSequences(parts, { stop: ['\n\nQuestion:'] }, () => usage(3));
    const out: GenerateStreamPart[] = [];
    for await (const part of stream) {
      if (part.type === 'finish') expect(state.closed).toBe(true); // the vendor's request ended first
      out.push(part);
    }
    expect(
      out
        .filter((p) => p.type === 'text-delta')
        .map((p) => p.delta)
        .join(''),
    ).toBe('The answer is 42.');
    expect(out.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: usage(3) });
    expect(state.pulled).toBe(4);
  });

  it('is an UPSTREAM_ERROR when the source ends without a finish part', async () => {
    const { parts } = source(['cut short'], false);
    const error = await collect(applyStopSequences(parts, {}, () => usage(0))).catch((e: unknown) => e);
    expect(isRagloomError(error, 'UPSTREAM_ERROR')).toBe(true);
  });

  it('is ABORTED when the signal fired by the time a stop sequence ends the stream', async () => {
    const controller = new AbortController();
    async function* parts(): AsyncGenerator<GenerateStreamPart> {
      controller.abort();
      yield { type: 'text-delta', delta: 'a STOP b' };
    }
    const request = { stop: ['STOP'], signal: controller.signal };
    const error = await collect(applyStopSequences(parts(), request, () => usage(0))).catch(
      (e: unknown) => e,
    );
    expect(isRagloomError(error, 'ABORTED')).toBe(true);
  });
});

describe('acceptGenerateRequest', () => {
  const messages = [{ role: 'user' as const, content: 'hi' }];
  const codeOf = (run: () => void) => {
    try {
      run();
    } catch (error) {
      return isRagloomError(error) ? error.code : 'not a RagloomError';
    }
    return 'accepted';
  };

  it('accepts a valid request, refuses a malformed one and one whose signal already fired', () => {
    expect(codeOf(() => acceptGenerateRequest({ messages }))).toBe('accepted');
    expect(codeOf(() => acceptGenerateRequest({ messages: [] }))).toBe('INVALID_ARGUMENT');
    const controller = new AbortController();
    controller.abort();
    expect(codeOf(() => acceptGenerateRequest({ messages, signal: controller.signal }))).toBe('ABORTED');
  });
});
