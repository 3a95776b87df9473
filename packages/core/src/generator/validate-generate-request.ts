import { RagloomError } from '../errors/ragloom-error.js';
import type { GenerateRequest } from '../spec/generator-v1.js';

const ROLES = new Set(['system', 'user', 'assistant']);

function fail(message: string, field: string): never {
  throw new RagloomError('INVALID_ARGUMENT', message, { details: { field } });
}

/**
 * Checks a GenerateRequest the same way in every generator, before any work or network call:
 * anything wrong is `INVALID_ARGUMENT` with `details.field` naming it (`messages[2].role`, `topP`, ...).
 */
export function validateGenerateRequest(request: GenerateRequest): void {
  if (typeof request !== 'object' || request === null) fail('generate needs a request object', 'request');
  const { messages } = request;
  if (!Array.isArray(messages) || messages.length === 0) {
    fail('generate needs a non-empty `messages` array', 'messages');
  }
  messages.forEach((message, i) => {
    if (typeof message !== 'object' || message === null)
      fail(`messages[${i}] is not an object`, `messages[${i}]`);
    if (!ROLES.has(message.role)) {
      fail(
        `messages[${i}].role must be system, user or assistant, got ${JSON.stringify(message.role)}`,
        `messages[${i}].role`,
      );
    }
    if (typeof message.content !== 'string') {
      fail(
        `messages[${i}].content must be a string, got ${typeof message.content}`,
        `messages[${i}].content`,
      );
    }
  });
  const { maxTokens, temperature, topP, topK, seed, stop } = request;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    fail(`maxTokens must be a positive integer, got ${maxTokens}`, 'maxTokens');
  }
  if (temperature !== undefined && (!Number.isFinite(temperature) || temperature < 0)) {
    fail(`temperature must be a finite number >= 0, got ${temperature}`, 'temperature');
  }
  if (topP !== undefined && (!Number.isFinite(topP) || topP <= 0 || topP > 1)) {
    fail(`topP must be in (0, 1], got ${topP}`, 'topP');
  }
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1)) {
    fail(`topK must be a positive integer, got ${topK}`, 'topK');
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) fail(`seed must be an integer, got ${seed}`, 'seed');
  if (stop !== undefined) {
    if (!Array.isArray(stop)) fail('stop must be an array of strings', 'stop');
    stop.forEach((s, i) => {
      if (typeof s !== 'string') fail(`stop[${i}] must be a string, got ${typeof s}`, `stop[${i}]`);
    });
  }
}
