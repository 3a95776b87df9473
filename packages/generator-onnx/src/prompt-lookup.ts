/**
 * Prompt-lookup drafting (the `prompt_lookup_num_tokens` of transformers, the n-gram speculation of vLLM and
 * llama.cpp): when the last n tokens occurred earlier in the prompt or output, the tokens that followed them there
 * are a likely continuation. The model checks all of them in one run; each run costs about the same for 1 or 8
 * tokens on small models, so every confirmed draft token is a model run saved. Output is unchanged: every token
 * is still chosen from the model's own logits, in order, with the same random draws.
 */
export interface PromptLookupOptions {
  /** Longest draft per run. Default 4 (longer drafts are rejected more often, and each costs a little). */
  readonly maxDraftTokens?: number;
  /** Longest n-gram to match; shorter ones down to 1 are tried next. Default 3. */
  readonly ngramSize?: number;
}

/**
 * The draft after `history`: the tokens that followed the most recent earlier occurrence of its last n tokens
 * (longest n first), at most `limit` of them. Empty when nothing matches.
 */
export function promptLookupDraft(history: readonly number[], ngramSize: number, limit: number): number[] {
  const length = history.length;
  if (limit <= 0) return [];
  for (let n = Math.min(ngramSize, length - 1); n >= 1; n--) {
    const tail = length - n;
    // Most recent match first; the match must end before the tail itself.
    for (let start = tail - 1; start >= 0; start--) {
      let matches = true;
      for (let i = 0; i < n; i++) {
        if (history[start + i] !== history[tail + i]) {
          matches = false;
          break;
        }
      }
      if (!matches) continue;
      const from = start + n;
      const draft = history.slice(from, Math.min(from + limit, length));
      if (draft.length > 0) return draft;
    }
  }
  return [];
}
