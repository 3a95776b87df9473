import type { ChatMessage } from '../spec/generator-v1.js';

export interface PromptPassage {
  readonly text: string;
  /** Shown beside the number so the model (and a reader of the prompt) knows where it is from. */
  readonly source?: string;
}

export interface RagPromptOptions {
  readonly question: string;
  readonly passages: readonly PromptPassage[];
  /** Earlier turns of a chat, placed between the system message and the new question. */
  readonly history?: readonly ChatMessage[];
  /** Replaces the default instructions. */
  readonly system?: string;
}

export const DEFAULT_RAG_SYSTEM_PROMPT = [
  'You answer questions using only the numbered context passages you are given.',
  'After each statement, cite the passages that support it by their numbers in square brackets, like [1] or [2][3].',
  'If the passages do not contain the answer, say that you do not know; do not make anything up.',
  'Answer in the language of the question, briefly.',
].join(' ');

/** Renders passages as a numbered context block: `[1] (source: a.md)\ntext`. Numbers start at 1. */
export function formatPassages(passages: readonly PromptPassage[]): string {
  return passages
    .map((p, i) => `[${i + 1}]${p.source ? ` (source: ${p.source})` : ''}\n${p.text.trim()}`)
    .join('\n\n');
}

/**
 * Builds the chat messages of a RAG turn: instructions that ask for numbered citations, the
 * conversation so far, and a user message holding the numbered passages and the question.
 * `parseCitations` reads the numbers back out of the answer.
 */
export function buildRagPrompt(options: RagPromptOptions): ChatMessage[] {
  const context =
    options.passages.length > 0
      ? formatPassages(options.passages)
      : '(no passages were found for this question)';
  return [
    { role: 'system', content: options.system ?? DEFAULT_RAG_SYSTEM_PROMPT },
    ...(options.history ?? []),
    { role: 'user', content: `Context passages:\n\n${context}\n\nQuestion: ${options.question.trim()}` },
  ];
}
