import type { ChatMessage } from '@ragloom/core';

/*
 * The prompts of the LLM judge. They are part of the metric: changing a word changes scores, so they
 * are versioned (JUDGE_PROMPT_VERSION is stored in every result) and kept here, in one place.
 * Both ask for JSON only, give the exact shape, and work for any language of question and context.
 */

export const JUDGE_PROMPT_VERSION = 'ragloom-judge-v1';

const FAITHFULNESS_SYSTEM = `You are a strict fact-checker for a retrieval-augmented question answering system.
You receive CONTEXT passages and numbered SENTENCES from an answer. For each sentence decide whether
it is fully supported by the CONTEXT alone: every claim in it must be stated in or directly implied by
the context. General knowledge does not count. A sentence that makes no factual claim (a greeting,
"I don't know") counts as supported. The text may be in any language.
Reply with JSON only, no prose, in exactly this shape:
{"verdicts": [{"sentence": 1, "supported": true, "reason": "<a few words>"}, ...]}
with one verdict per sentence, in order.`;

const ANSWER_RELEVANCE_SYSTEM = `You grade how well an ANSWER addresses a QUESTION, ignoring whether it is true.
5 = answers exactly what was asked, directly and completely
4 = answers it, with minor gaps or some unneeded content
3 = partly answers it, or answers a related question
2 = mostly off-topic or evasive, with little that answers it
1 = does not answer the question at all (including refusals and "I don't know")
The text may be in any language.
Reply with JSON only, no prose, in exactly this shape: {"score": <1-5>, "reason": "<a few words>"}`;

/** Messages asking the judge which answer sentences the context supports. */
export function faithfulnessMessages(input: {
  readonly question: string;
  readonly contexts: readonly string[];
  readonly sentences: readonly string[];
}): ChatMessage[] {
  const context = input.contexts.map((c, i) => `[${i + 1}] ${c}`).join('\n\n');
  const sentences = input.sentences.map((s, i) => `${i + 1}. ${s}`).join('\n');
  return [
    { role: 'system', content: FAITHFULNESS_SYSTEM },
    {
      role: 'user',
      content: `QUESTION:\n${input.question}\n\nCONTEXT:\n${context || '(no passages)'}\n\nSENTENCES:\n${sentences}`,
    },
  ];
}

/** Messages asking the judge to rate how well an answer addresses the question (1-5). */
export function answerRelevanceMessages(input: {
  readonly question: string;
  readonly answer: string;
}): ChatMessage[] {
  return [
    { role: 'system', content: ANSWER_RELEVANCE_SYSTEM },
    { role: 'user', content: `QUESTION:\n${input.question}\n\nANSWER:\n${input.answer}` },
  ];
}

/** Sent after a reply that held no usable JSON, once, before giving up. */
export const JSON_REMINDER =
  'Your reply could not be read. Reply again with the JSON object only, exactly in the shape asked, and nothing else.';
