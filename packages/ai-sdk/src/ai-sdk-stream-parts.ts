import { type GenerateStreamPart, RagloomError, throwIfAborted } from '@ragloom/core';
import { raceAbort } from '@ragloom/core/adapter';
import { toRagloomError } from './ai-sdk-error.js';
import type { AiSdkStreamPart } from './ai-sdk-model-types.js';
import type { ModelCalls } from './call-model.js';
import { finishReasonOf, usageOf } from './map-model-result.js';

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<AiSdkStreamPart>['read']>>;

/**
 * An AI SDK model's stream (`doStream`'s parts) as ragloom's: text deltas, then one finish part; warnings to
 * `onWarning`, error parts and failures as ragloom errors. Leaving it early cancels the provider's request.
 */
export async function* ragloomStreamParts(
  parts: ReadableStream<AiSdkStreamPart>,
  signal: AbortSignal | undefined,
  calls: ModelCalls,
): AsyncGenerator<GenerateStreamPart> {
  const { context } = calls;
  const reader = parts.getReader();
  let done = false;
  try {
    for (;;) {
      let next: ReadResult;
      try {
        // Rejects with ABORTED as soon as the signal fires, even if the model's stream hangs.
        next = await raceAbort(reader.read(), signal, 'generation');
      } catch (error) {
        throw calls.failure(error, signal);
      }
      if (next.done) {
        done = true;
        break;
      }
      // Parts the provider had already buffered must not leak out after an abort.
      throwIfAborted(signal, 'generation');
      const part = next.value;
      if (part.type === 'text-delta' && 'delta' in part) {
        yield { type: 'text-delta', delta: part.delta };
      } else if (part.type === 'finish' && 'finishReason' in part) {
        const finishReason = finishReasonOf(part.finishReason, context);
        yield { type: 'finish', finishReason, usage: usageOf(part.usage) };
        return;
      } else if (part.type === 'error' && 'error' in part) {
        throw toRagloomError(part.error, context);
      } else if (part.type === 'stream-start' && 'warnings' in part) {
        calls.warn(part.warnings);
      }
    }
  } finally {
    // Leaving early (a stop sequence, an abort, the consumer's break) cancels the provider's request.
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  throw new RagloomError(
    'UPSTREAM_ERROR',
    `${context.provider} (model ${context.modelId}) ended the stream without a finish part`,
    { retryable: true },
  );
}
