import { RagloomError } from '../errors/ragloom-error.js';
import type { GenerateRequest, GenerateStreamPart, TokenUsage } from '../spec/generator-v1.js';
import { throwIfAborted } from '../util/abort.js';
import { createStopSequenceMatcher } from '../util/stop-sequences.js';

/**
 * A whole generated text cut before its first stop sequence (`stopped` says whether one was found): what a
 * generator's `generate` returns for a provider that may ignore stop sequences or take fewer of them.
 */
export function cutAtStopSequence(
  text: string,
  stop: readonly string[] | undefined,
): { text: string; stopped: boolean } {
  const stops = createStopSequenceMatcher(stop);
  const pushed = stops.push(text);
  return { text: pushed.text + stops.flush(), stopped: pushed.stopped };
}

/**
 * A generator's stream with the request's stop sequences applied, for providers that may ignore them or take
 * fewer: text is passed on up to the first match, holding back a tail that could still become one. `source`
 * yields text deltas, then one finish part. On a match the source is closed first (its `return()`, which is
 * where an adapter ends the vendor's request), then the stream finishes with 'stop' and `usageAtStop()`.
 */
export async function* applyStopSequences(
  source: AsyncIterable<GenerateStreamPart>,
  request: Pick<GenerateRequest, 'stop' | 'signal'>,
  usageAtStop: () => TokenUsage,
): AsyncGenerator<GenerateStreamPart> {
  const stops = createStopSequenceMatcher(request.stop);
  let stopped = false;
  for await (const part of source) {
    if (part.type === 'finish') {
      const rest = stops.flush();
      if (rest) yield { type: 'text-delta', delta: rest };
      yield part;
      return;
    }
    const { text, stopped: matched } = stops.push(part.delta);
    if (text) yield { type: 'text-delta', delta: text };
    if (matched) {
      stopped = true;
      break; // leaving the loop closes the source
    }
  }
  throwIfAborted(request.signal, 'generation');
  if (!stopped) {
    throw new RagloomError('UPSTREAM_ERROR', 'the model stream ended without a finish part', {
      retryable: true,
    });
  }
  yield { type: 'finish', finishReason: 'stop', usage: usageAtStop() };
}
