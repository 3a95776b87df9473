import { RagloomError } from '../errors/ragloom-error.js';
import type { GenerateResult, GenerateStreamPart } from '../spec/generator-v1.js';

/**
 * Folds a Generator stream into a GenerateResult. A generator whose `generate` is implemented this way
 * satisfies "stream concatenation == generate" by construction.
 */
export async function collectGenerateStream(
  stream: AsyncIterable<GenerateStreamPart>,
): Promise<GenerateResult> {
  let text = '';
  for await (const part of stream) {
    if (part.type === 'text-delta') text += part.delta;
    else return { text, finishReason: part.finishReason, usage: part.usage };
  }
  throw new RagloomError('UPSTREAM_ERROR', 'generation ended without a finish event');
}
