/**
 * Turns a stream of token ids into text deltas that never split a character.
 *
 * Decoding tokens one by one is wrong in two ways: a byte-fallback or byte-level token may hold only part of a
 * UTF-8 character (its decode ends in U+FFFD until the rest arrives), and decoders such as SentencePiece's strip
 * the leading space of whatever they decode first. So, as text-generation-inference does, each step decodes a
 * short window that starts a few tokens back (`prefix`) and emits only what the window added beyond the text of
 * its old part, and only once that text does not end in an incomplete character.
 */
export interface StreamDetokenizer {
  /** Adds a token; returns the text that became final (often '', never a partial character). */
  push(token: number): string;
  /** The text still held back at the end of generation (e.g. an incomplete byte sequence, as U+FFFD). */
  flush(): string;
}

export type DecodeTokens = (ids: readonly number[]) => string;

const REPLACEMENT = '\uFFFD';

/**
 * @param decode decodes ids to text, skipping special tokens.
 * @param context tokens before the first pushed one (the prompt's tail), so the first delta keeps its leading
 *   space exactly as a full decode would.
 */
export function createStreamDetokenizer(
  decode: DecodeTokens,
  context: readonly number[] = [],
): StreamDetokenizer {
  const CONTEXT = 5;
  const ids: number[] = context.slice(-CONTEXT);
  let prefixOffset = 0;
  let readOffset = ids.length;
  let prefixText = readOffset > 0 ? decode(ids) : '';

  return {
    push(token) {
      ids.push(token);
      const text = decode(ids.slice(prefixOffset));
      if (text.length > prefixText.length && !text.endsWith(REPLACEMENT)) {
        const delta = text.slice(prefixText.length);
        // Slide the window: the tokens just emitted become the new prefix.
        prefixOffset = readOffset;
        readOffset = ids.length;
        prefixText = decode(ids.slice(prefixOffset, readOffset));
        // Keep the window short: drop ids before the prefix.
        if (prefixOffset > 64) {
          ids.splice(0, prefixOffset);
          readOffset -= prefixOffset;
          prefixOffset = 0;
        }
        return delta;
      }
      return '';
    },
    flush() {
      const text = decode(ids.slice(prefixOffset));
      const rest = text.slice(prefixText.length);
      prefixOffset = readOffset = ids.length;
      prefixText = '';
      return rest;
    },
  };
}
