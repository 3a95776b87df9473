import { RagloomError } from '../errors/ragloom-error.js';
import type { EmbedRequest } from '../spec/encoder-v1.js';

/**
 * Checks an EmbedRequest the same way in every encoder and returns its texts: `texts` an array of
 * strings and `inputType` 'query' or 'document', else `INVALID_ARGUMENT` naming the offending index.
 * `rejectEmpty` is for endpoints that refuse empty input (say it before the server does, and which one).
 */
export function validateEmbedRequest(
  request: EmbedRequest,
  options: { readonly rejectEmpty?: boolean } = {},
): readonly string[] {
  if (typeof request !== 'object' || request === null || !Array.isArray(request.texts)) {
    throw new RagloomError('INVALID_ARGUMENT', 'embed expects `texts` to be an array of strings');
  }
  request.texts.forEach((text, i) => {
    if (typeof text !== 'string') {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `texts[${i}] must be a string, got ${text === null ? 'null' : typeof text}`,
        { details: { index: i } },
      );
    }
    if (options.rejectEmpty && text.trim().length === 0) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `texts[${i}] is empty; this endpoint rejects empty input — drop it or embed a placeholder`,
        { details: { index: i } },
      );
    }
  });
  if (request.inputType !== 'query' && request.inputType !== 'document') {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `inputType must be 'query' or 'document', got ${JSON.stringify(request.inputType)}`,
    );
  }
  return request.texts;
}
