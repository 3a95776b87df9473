import { templateTokens } from '../reference/template-generator.js';
import type { FinishReason } from '../spec/generator-v1.js';
import { createStopSequenceMatcher } from '../util/stop-sequences.js';

/** The generation settings an answer honours even when no model writes it. */
export interface AnswerLimits {
  /** Most tokens (words, with the spaces before them) in the answer. */
  readonly maxTokens?: number;
  /** The answer ends before the first occurrence of any of these, which is not included. */
  readonly stop?: readonly string[];
}

export interface LimitedText {
  /** The text in the pieces a stream sends, word by word; they join to `text`. */
  readonly deltas: readonly string[];
  readonly text: string;
  /** 'length' when `maxTokens` cut it, else 'stop'. */
  readonly finishReason: FinishReason;
  /** Tokens emitted. */
  readonly tokens: number;
}

/**
 * Applies `maxTokens` and stop sequences to a text that exists whole (an extractive answer), as a
 * generator applies them to what it writes: word by word, never emitting a stop sequence even in part.
 */
export function limitText(text: string, limits: AnswerLimits = {}): LimitedText {
  const matcher = createStopSequenceMatcher(limits.stop);
  const deltas: string[] = [];
  let tokens = 0;
  let finishReason: FinishReason = 'stop';
  let stopped = false;
  for (const token of templateTokens(text)) {
    if (limits.maxTokens !== undefined && tokens >= limits.maxTokens) {
      finishReason = 'length';
      break;
    }
    tokens++;
    const pushed = matcher.push(token);
    if (pushed.text) deltas.push(pushed.text);
    if (pushed.stopped) {
      stopped = true;
      break;
    }
  }
  // Nothing follows a cut, so a held-back tail can no longer become a stop sequence.
  if (!stopped) {
    const rest = matcher.flush();
    if (rest) deltas.push(rest);
  }
  return { deltas, text: deltas.join(''), finishReason, tokens };
}
